"""What logship must send, written once from the specification, for the tests to compare against.

Syslog layouts (PRI = facility*8 + severity; severity 6 for stdout, 3 for stderr; the timestamp is
the log entry's own time in UTC, truncated, not rounded, like Go's time formatting):
  rfc5424micro  <PRI>1 2026-11-26T16:16:21.143681Z HOST APP - MSGID SD MSG\n
  rfc5424       <PRI>1 2026-11-26T16:16:21Z HOST APP - MSGID SD MSG\n
  rfc3164       <PRI>Nov 26 16:16:21 HOST TAG: MSG\n
  unix          <PRI>Nov 26 16:16:21 TAG: MSG\n
APP = the tag with non-printable and space characters replaced by "_", at most 48 characters;
MSGID the same at most 32. SD is "-" or [logship@32473 name="value" ...].
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

FACILITIES = {
    "kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7,
    "uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11,
    **{f"local{i}": 16 + i for i in range(8)},
}
SEVERITY = {"stdout": 6, "stderr": 3}
SD_ID = "logship@32473"
JSON_KEYS = ["time", "host", "source", "container_id", "container_name", "image_name", "image_id",
             "tag", "message", "attrs"]


def pri(source: str = "stdout", facility: str = "daemon") -> int:
    return FACILITIES[facility] * 8 + SEVERITY[source]


def _utc(time_nano: int) -> datetime:
    return datetime.fromtimestamp(time_nano // 1_000_000_000, tz=timezone.utc)


def ts_rfc5424(time_nano: int, micro: bool = True) -> str:
    base = _utc(time_nano).strftime("%Y-%m-%dT%H:%M:%S")
    if micro:
        return f"{base}.{(time_nano % 1_000_000_000) // 1000:06d}Z"
    return base + "Z"


def ts_rfc3164(time_nano: int) -> str:
    t = _utc(time_nano)
    return f"{t.strftime('%b')} {t.day:>2} {t.strftime('%H:%M:%S')}"


def ts_json(time_nano: int) -> str:
    return _utc(time_nano).strftime("%Y-%m-%dT%H:%M:%S") + f".{time_nano % 1_000_000_000:09d}Z"


def sanitize(tag: str, limit: int) -> str:
    return "".join(c if 33 <= ord(c) <= 126 else "_" for c in tag)[:limit]


def sd_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def structured_data(attrs: dict[str, str]) -> str:
    if not attrs:
        return "-"
    return "[" + SD_ID + "".join(f' {k}="{sd_escape(v)}"' for k, v in attrs.items()) + "]"


def syslog(
    msg: bytes | str,
    time_nano: int,
    tag: str,
    host: str,
    fmt: str = "rfc5424micro",
    source: str = "stdout",
    facility: str = "daemon",
    sd: str = "-",
) -> bytes:
    """One syslog message exactly as logship must send it, trailing LF included."""
    if isinstance(msg, str):
        msg = msg.encode()
    p = pri(source, facility)
    if fmt in ("rfc5424micro", "rfc5424"):
        ts = ts_rfc5424(time_nano, micro=(fmt == "rfc5424micro"))
        head = f"<{p}>1 {ts} {host} {sanitize(tag, 48)} - {sanitize(tag, 32)} {sd} "
    elif fmt == "rfc3164":
        head = f"<{p}>{ts_rfc3164(time_nano)} {host} {tag}: "
    elif fmt == "unix":
        head = f"<{p}>{ts_rfc3164(time_nano)} {tag}: "
    else:
        raise ValueError(fmt)
    return head.encode() + msg + b"\n"


def octet_counted(message: bytes) -> bytes:
    """RFC 6587 octet counting: LEN SP MSG, LEN counting MSG's trailing LF too."""
    return str(len(message)).encode() + b" " + message


_SD_PARAM = re.compile(r'([^\s=\]"]+)="((?:[^"\\]|\\.)*)"')


def parse_sd(sd: str) -> dict[str, dict[str, str]]:
    """'[id a="1" b="x\\"y"]...' -> {id: {a: '1', b: 'x"y'}} (escapes undone)."""
    out = {}
    for elem in re.finditer(r'\[([^\s\]]+)((?:\s+[^\s=\]"]+="(?:[^"\\]|\\.)*")*)\]', sd):
        out[elem.group(1)] = {k: re.sub(r"\\(.)", r"\1", v) for k, v in _SD_PARAM.findall(elem.group(2))}
    return out


_RFC5424 = re.compile(
    rb"^<(?P<pri>\d{1,3})>1 (?P<ts>\S+) (?P<host>\S+) (?P<app>\S+) (?P<procid>\S+) (?P<msgid>\S+) "
    rb"(?P<sd>-|(?:\[(?:[^\]\\]|\\.)*\])+)(?: (?P<msg>.*))?\n$",
    re.S,
)


def parse_rfc5424(message: bytes) -> dict:
    """Split one LF-terminated RFC 5424 message into its parts (asserts the layout)."""
    m = _RFC5424.match(message)
    assert m, f"not an RFC 5424 message with a trailing LF: {message[:200]!r}"
    d = {k: (v.decode() if k != "msg" and v is not None else v) for k, v in m.groupdict().items()}
    d["msg"] = d["msg"] or b""
    d["time"] = datetime.fromisoformat(d["ts"].replace("Z", "+00:00"))
    return d


def parse_json_record(record: bytes) -> tuple[list[str], dict]:
    """(top-level keys in their order, the decoded object) of one JSON record."""
    key_lists = []

    def hook(pairs):
        key_lists.append([k for k, _ in pairs])
        return dict(pairs)

    obj = json.loads(record, object_pairs_hook=hook)
    return key_lists[-1], obj  # objects are built innermost first: the last one is the record itself
