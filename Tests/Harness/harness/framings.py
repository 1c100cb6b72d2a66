"""Parsers for what a receiver got on one connection, one per framing logship writes.

Each takes the whole of a connection's bytes and returns its messages (the payload the stream's
line ended up in), or raises AssertionError naming the first thing that does not fit the framing:
a connection that mixes framings fails here, which is how the tests tell that two streams shared
a connection they must not share.

  parse_gelf             NUL-terminated GELF 1.1 JSON objects -> short_message
  parse_lf_lines         LF-terminated lines (tcp-format=raw), no NUL anywhere -> the lines
  parse_non_transparent  LF-terminated RFC 5424 messages -> MSG
  parse_octet_counted    RFC 6587 `LEN SP MSG` RFC 5424 messages -> MSG
"""

from __future__ import annotations

import json

NUL, LF = b"\0", b"\n"


def describe(conns: list[bytes]) -> str:
    """One line per connection: size, NUL and LF counts, how it starts."""
    return "; ".join(f"connection {k}: {len(c)} bytes, {c.count(NUL)} NUL, {c.count(LF)} LF, starts {c[:24]!r}"
                     for k, c in enumerate(conns))


def parse_gelf(data: bytes) -> list[bytes]:
    if not data.endswith(b"\0"):
        raise AssertionError(f"does not end in NUL: ...{data[-60:]!r}")
    out = []
    for k, record in enumerate(data.split(b"\0")[:-1]):
        try:
            obj = json.loads(record)
        except ValueError:
            raise AssertionError(f"GELF frame {k} is not JSON: {record[:80]!r}") from None
        if not isinstance(obj, dict) or obj.get("version") != "1.1" or "short_message" not in obj:
            raise AssertionError(f"GELF frame {k} is not a GELF message: {record[:80]!r}")
        out.append(obj["short_message"].encode())
    return out


def parse_lf_lines(data: bytes) -> list[bytes]:
    if b"\0" in data:
        at = data.index(b"\0")
        raise AssertionError(f"NUL byte at offset {at} in a line-framed connection: {data[max(0, at - 40):at + 20]!r}")
    if not data.endswith(b"\n"):
        raise AssertionError(f"does not end in LF: ...{data[-60:]!r}")
    return data.split(b"\n")[:-1]


def syslog_message(record: bytes) -> bytes:
    """MSG of an RFC 5424 message with no STRUCTURED-DATA: `<PRI>1 TS HOST APP PROCID MSGID - MSG`."""
    parts = record.split(b" ", 7)
    if len(parts) != 8 or not parts[0].startswith(b"<") or parts[6] != b"-":
        raise AssertionError(f"not an RFC 5424 message without SD: {record[:80]!r}")
    return parts[7]


def parse_octet_counted(data: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos < len(data):
        sp = data.find(b" ", pos, pos + 12)
        if sp < 0 or not data[pos:sp].isdigit():
            raise AssertionError(f"no octet count at offset {pos}: {data[pos:pos + 60]!r}")
        n = int(data[pos:sp])
        msg = data[sp + 1:sp + 1 + n]
        if len(msg) != n:
            raise AssertionError(f"message at offset {pos} is cut: {n} bytes announced, {len(msg)} there")
        if not msg.startswith(b"<"):
            raise AssertionError(f"octet-counted message at offset {pos} does not start with a PRI: {msg[:60]!r}")
        out.append(syslog_message(msg.removesuffix(b"\n")))  # logship ends every syslog message in LF
        pos = sp + 1 + n
    return out


def parse_non_transparent(data: bytes) -> list[bytes]:
    return [syslog_message(r) for r in parse_lf_lines(data)]
