"""A private rsyslogd instance as a reference syslog receiver.

It listens on free loopback TCP and UDP ports (imtcp accepts both LF and octet-counted framing) and,
optionally, on a unix datagram socket (imuxsock) and a unix stream socket (imptcp), and writes every
message to one file: the raw message and the fields rsyslog parsed from it.

Record layout: fields separated by 0x1F, records ended by 0x1E LF. rsyslog escapes control characters
on reception (parser.escapeControlCharactersOnReceive, on by default: a TAB arrives as "#011"), so
neither delimiter can occur inside a field. `keep_control_characters=True` turns that off, for
multi-line messages whose LFs and TABs must arrive as they are (the delimiters are not in them).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from datetime import datetime
from pathlib import Path

from .receiver_process import ReceiverProcess
from .receivers import free_port
from .waiting import WaitTimeout, wait_until

FIELD_SEP = b"\x1f"
RECORD_END = b"\x1e\n"
PROBE_APP = "logship-harness-probe"

# (dict key, rsyslog property, extra property() parameters)
FIELDS = [
    ("raw", "rawmsg", ""),
    ("pri", "pri", ""),
    ("facility", "syslogfacility", ""),
    ("severity", "syslogseverity", ""),
    ("version", "protocol-version", ""),
    ("timestamp", "timereported", ' dateFormat="rfc3339"'),
    ("hostname", "hostname", ""),
    ("app_name", "app-name", ""),
    ("procid", "procid", ""),
    ("msgid", "msgid", ""),
    ("structured_data", "structured-data", ""),
    ("msg", "msg", ""),
    ("syslogtag", "syslogtag", ""),
    ("programname", "programname", ""),
    ("input", "inputname", ""),
]


def _rsyslogd() -> str:
    path = shutil.which("rsyslogd") or "/usr/sbin/rsyslogd"
    if not os.path.exists(path):
        raise RuntimeError("rsyslogd not found; run scripts/testenv/install-deps.sh")
    return path


class Rsyslog(ReceiverProcess):
    """Start with start(), read with messages()/wait_for(), stop with stop() after the sender stopped."""

    def __init__(
        self,
        workdir: str | os.PathLike,
        tcp_port: int | None = None,
        udp_port: int | None = None,
        unixgram_path: str | None = None,
        unix_stream_path: str | None = None,
        max_message_size: str = "256k",
        keep_control_characters: bool = False,
        durable: bool = False,
    ):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.tcp_port = tcp_port or free_port(socket.SOCK_STREAM)
        self.udp_port = udp_port or free_port(socket.SOCK_DGRAM)
        self.unixgram_path = unixgram_path
        self.unix_stream_path = unix_stream_path
        self.max_message_size = max_message_size
        self.keep_control_characters = keep_control_characters
        # Write each message before the input takes the next (and, over RELP, before it is
        # acknowledged): the ruleset runs its action in the input's thread (a Direct queue)
        # and omfile writes synchronously. Without this, rsyslog keeps a batch in memory
        # and loses it when killed.
        self.durable = durable
        self.conf_path = self.workdir / "rsyslog.conf"
        self.output_path = self.workdir / "messages.rec"
        self.pid_path = self.workdir / "rsyslogd.pid"
        self.stderr_path = self.workdir / "rsyslogd.stderr"
        self.proc: subprocess.Popen | None = None

    # -- addresses in logship's option syntax ----------------------------------------------------
    @property
    def tcp_address(self) -> str:
        return f"tcp://127.0.0.1:{self.tcp_port}"

    @property
    def udp_address(self) -> str:
        return f"udp://127.0.0.1:{self.udp_port}"

    @property
    def unixgram_address(self) -> str:
        assert self.unixgram_path, "started without a unixgram socket"
        return f"unixgram://{self.unixgram_path}"

    @property
    def unix_address(self) -> str:
        assert self.unix_stream_path, "started without a unix stream socket"
        return f"unix://{self.unix_stream_path}"

    # -- lifecycle -------------------------------------------------------------------------------
    def config(self) -> str:
        # The delimiters go into the config as raw bytes: RainerScript strings have no \x escapes.
        props = "\n".join(
            f'  property(name="{prop}"{extra}) constant(value="{FIELD_SEP.decode()}")'
            for _, prop, extra in FIELDS[:-1]
        )
        _, last_prop, last_extra = FIELDS[-1]
        props += f'\n  property(name="{last_prop}"{last_extra}) constant(value="{RECORD_END.decode()}")'
        escape = ' parser.escapeControlCharactersOnReceive="off"' if self.keep_control_characters else ""
        lines = [
            # net.enableDNS off: no reverse lookups of the sender (slow, and irrelevant here).
            f'global(workDirectory="{self.workdir}" maxMessageSize="{self.max_message_size}" net.enableDNS="off"{escape})',
            'module(load="imtcp")',
            'module(load="imudp")',
            # SysSock.Use off: never take over the system's /dev/log.
            'module(load="imuxsock" SysSock.Use="off")',
            f'template(name="logship_record" type="list") {{\n{props}\n}}',
            self._ruleset(),
            f'input(type="imtcp" address="127.0.0.1" port="{self.tcp_port}" ruleset="logship")',
            f'input(type="imudp" address="127.0.0.1" port="{self.udp_port}" ruleset="logship")',
        ]
        if self.unixgram_path:
            # Parse what arrives like a network message (hostname, timestamp as sent), no rate limit.
            lines.append(
                f'input(type="imuxsock" Socket="{self.unixgram_path}" ruleset="logship" CreatePath="on" '
                'UseSpecialParser="off" ParseHostname="on" IgnoreTimestamp="off" UseSysTimeStamp="off" '
                'Annotate="off" RateLimit.Interval="0")'
            )
        if self.unix_stream_path:
            lines.insert(3, 'module(load="imptcp")')
            lines.append(f'input(type="imptcp" path="{self.unix_stream_path}" unlink="on" ruleset="logship")')
        return "\n".join(lines) + "\n"

    def _ruleset(self) -> str:
        if self.durable:
            return (f'ruleset(name="logship" queue.type="Direct") {{ action(type="omfile" file="{self.output_path}" '
                    'template="logship_record" asyncWriting="off" flushOnTXEnd="on") }')
        return f'ruleset(name="logship") {{ action(type="omfile" file="{self.output_path}" template="logship_record") }}'

    def start(self, timeout: float = 20.0) -> "Rsyslog":
        self.conf_path.write_text(self.config())
        for p in (self.unixgram_path, self.unix_stream_path):
            if p:
                Path(p).parent.mkdir(parents=True, exist_ok=True)
        # rsyslogd starts even with config errors (dropping what it can't parse): check first.
        check = subprocess.run([_rsyslogd(), "-N1", "-f", str(self.conf_path)], capture_output=True, text=True)
        if check.returncode != 0 or "error" in check.stderr.lower():
            raise RuntimeError(f"rsyslog config rejected:\n{check.stderr}\n--- config ---\n{self.config()}")
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(
                [_rsyslogd(), "-n", "-f", str(self.conf_path), "-i", str(self.pid_path)],
                stdin=subprocess.DEVNULL, stdout=err, stderr=subprocess.STDOUT,
            )
        try:
            self._probe_inputs(timeout)
        except BaseException:
            self._kill()
            raise
        return self

    def _probe_inputs(self, timeout: float) -> None:
        """Wait until every input delivers a message to the output file: the only real proof of readiness."""
        pending = {"tcp": self._send_tcp_probe, "udp": self._send_dgram_probe_udp}
        if self.unixgram_path:
            pending["unixgram"] = self._send_dgram_probe_unix
        if self.unix_stream_path:
            pending["unix"] = self._send_stream_probe_unix
        tokens = {name: f"probe-{name}-{uuid.uuid4().hex}" for name in pending}
        deadline = time.monotonic() + timeout
        while pending:
            if self.proc.poll() is not None:
                raise RuntimeError(f"rsyslogd exited with {self.proc.returncode}:\n{self.stderr_text()}")
            for name, send in list(pending.items()):
                try:
                    send(f"<13>1 - - {PROBE_APP} - - - {tokens[name]}\n".encode())
                except OSError:
                    pass  # not listening yet
            seen = self.output_bytes()
            for name in list(pending):
                if tokens[name].encode() in seen:
                    del pending[name]
            if pending and time.monotonic() > deadline:
                raise WaitTimeout(f"rsyslog inputs {sorted(pending)} not ready after {timeout:.0f}s:\n{self.stderr_text()}")
            if pending:
                time.sleep(0.1)

    def _send_tcp_probe(self, data: bytes) -> None:
        with socket.create_connection(("127.0.0.1", self.tcp_port), timeout=2) as s:
            s.sendall(data)

    def _send_dgram_probe_udp(self, data: bytes) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(data, ("127.0.0.1", self.udp_port))

    def _send_dgram_probe_unix(self, data: bytes) -> None:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.sendto(data, self.unixgram_path)

    def _send_stream_probe_unix(self, data: bytes) -> None:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(2)
            s.connect(self.unix_stream_path)
            s.sendall(data)

    def stop(self, quiet: float = 1.0, timeout: float = 60.0) -> None:
        """Stop rsyslogd without losing messages.

        SIGTERM makes rsyslog discard the batch it is processing, so: the caller stops the sender
        first; here we wait until the output file has not grown for `quiet` seconds (a full second:
        rsyslog writes in batches), then SIGTERM.
        """
        super().stop(quiet, timeout)

    def messages(self) -> list[dict]:
        """Every message received so far (harness probes left out), in the order rsyslog wrote them.

        Keys: raw, pri, facility, severity, version, timestamp (rfc3339 text), time (datetime, aware),
        hostname, app_name, procid, msgid, structured_data, msg, syslogtag, programname, input.
        """
        out = []
        for rec in self.output_bytes().split(RECORD_END)[:-1]:  # the last piece is "" or still being written
            values = rec.split(FIELD_SEP)
            if len(values) != len(FIELDS):
                raise AssertionError(f"malformed rsyslog record ({len(values)} fields): {rec!r}")
            m = {key: v.decode("utf-8", errors="replace") for (key, _, _), v in zip(FIELDS, values)}
            if m["app_name"] == PROBE_APP:
                continue
            try:
                m["time"] = datetime.fromisoformat(m["timestamp"])
            except ValueError:
                m["time"] = None
            out.append(m)
        return out

    def wait_for(self, n: int, timeout: float = 30.0, match=None) -> list[dict]:
        """Wait until at least n messages (those for which match(m) is true, if given) have arrived."""

        def selected():
            ms = self.messages()
            return [m for m in ms if match(m)] if match else ms

        wait_until(lambda: len(selected()) >= n, timeout, f"{n} messages at rsyslog",
                   describe=lambda: f"{len(selected())} messages; rsyslogd stderr: {self.stderr_text()[-500:]}")
        return selected()
