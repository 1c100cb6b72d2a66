"""A private syslog-ng with a TLS source, run from Debian's syslog-ng-core unpacked in a directory of
its own: that package conflicts with rsyslog's, so scripts/testenv/install-deps.sh extracts it (with
`apt-get download` and `dpkg -x`) into $LOGSHIP_TESTENV_STATE/syslog-ng instead of installing it.

source="syslog"   syslog(transport(tls)): RFC 5425, octet-counted framing (logship's default on TLS)
source="network"  network(transport(tls) flags(syslog-protocol)): RFC 5424 messages ending in LF
Every message's MSG is written to one file, a line each.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from pathlib import Path

from .certificates import Identity
from .receiver_process import ReceiverProcess
from .receivers import free_port
from .tls_client import send_tls
from .waiting import WaitTimeout, wait_until

PROBE = "logship-harness-probe"
ROOT = Path(os.environ.get("LOGSHIP_SYSLOG_NG_ROOT")
            or Path(os.environ.get("LOGSHIP_TESTENV_STATE", "/tmp/logship-testenv")) / "syslog-ng")

VERSION_OPTIONS = {
    "1.2": "ssl-options(no-sslv2, no-sslv3, no-tlsv1, no-tlsv11, no-tlsv13)",
    "1.3": "ssl-options(no-sslv2, no-sslv3, no-tlsv1, no-tlsv11, no-tlsv12)",
}

# What syslog-ng logs when a TLS client goes away without close_notify or resets the connection.
UNCLEAN_CLOSE = ("unexpected eof", "Connection reset", "SSL error while reading stream")


def _binary() -> tuple[Path, dict[str, str], Path]:
    """The syslog-ng binary, the environment it needs to find its libraries, and its module path."""
    binary = ROOT / "usr/sbin/syslog-ng"
    if not binary.exists():
        raise RuntimeError(f"syslog-ng is not unpacked at {ROOT}; run scripts/testenv/install-deps.sh")
    modules = sorted((ROOT / "usr/lib/syslog-ng").glob("3.*"))
    libraries = [ROOT / "usr/lib/x86_64-linux-gnu", ROOT / "lib/x86_64-linux-gnu", ROOT / "usr/lib/syslog-ng"]
    env = dict(os.environ, LD_LIBRARY_PATH=":".join(str(p) for p in libraries))
    return binary, env, modules[-1]


class SyslogNG(ReceiverProcess):
    def __init__(self, workdir: str | os.PathLike, ca: Path, server: Identity, source: str = "syslog",
                 tls_version: str | None = None, client_auth: bool = False, probe_client: Identity | None = None,
                 port: int | None = None):
        assert source in ("syslog", "network"), source
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.ca, self.server, self.source = Path(ca), server, source
        self.tls_version, self.client_auth, self.probe_client = tls_version, client_auth, probe_client
        self.port = port or free_port(socket.SOCK_STREAM)
        self.conf_path = self.workdir / "syslog-ng.conf"
        self.output_path = self.workdir / "messages.txt"
        self.stderr_path = self.workdir / "syslog-ng.stderr"
        self.proc: subprocess.Popen | None = None

    @property
    def tls_address(self) -> str:
        return f"tcp+tls://127.0.0.1:{self.port}"

    def config(self) -> str:
        tls = [f'key-file("{self.server.key}")', f'cert-file("{self.server.cert}")', f'ca-file("{self.ca}")',
               f'peer-verify({"required-trusted" if self.client_auth else "optional-untrusted"})']
        if self.tls_version:
            tls.append(VERSION_OPTIONS[self.tls_version])
        flags = ' flags(syslog-protocol)' if self.source == "network" else ""
        return (
            "@version: 3.38\n"
            "options { stats_freq(0); keep-hostname(yes); log-msg-size(262144); };\n"
            f'source s_tls {{ {self.source}(ip("127.0.0.1") port({self.port}) transport("tls") max-connections(100)'
            f' log-iw-size(20000){flags} tls({" ".join(tls)})); }};\n'
            f'destination d_file {{ file("{self.output_path}" template("${{MSG}}\\n")); }};\n'
            "log { source(s_tls); destination(d_file); };\n"
        )

    def start(self, timeout: float = 20.0) -> "SyslogNG":
        binary, env, modules = _binary()
        self.conf_path.write_text(self.config())
        common = [f"--module-path={modules}", "-f", str(self.conf_path)]
        check = subprocess.run([str(binary), "--syntax-only", *common], env=env, capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"syslog-ng config rejected:\n{check.stderr}\n--- config ---\n{self.config()}")
        with open(self.stderr_path, "ab") as err:
            self.proc = subprocess.Popen(
                [str(binary), "-F", "-e", "--no-caps", *common, "-R", str(self.workdir / "persist"),
                 "-p", str(self.workdir / "pid"), "-c", str(self.workdir / "ctl")],
                env=env, stdin=subprocess.DEVNULL, stdout=err, stderr=subprocess.STDOUT,
            )
        try:
            self._probe(timeout)
        except BaseException:
            self._kill()
            raise
        return self

    def _probe(self, timeout: float) -> None:
        """Wait until a message sent over TLS reaches the output file: the only real proof of readiness."""
        token = f"probe-{uuid.uuid4().hex}"
        message = f"<13>1 2026-11-26T16:16:21Z - {PROBE} - - - {token}\n".encode()
        if self.source == "syslog":
            message = str(len(message)).encode() + b" " + message
        deadline = time.monotonic() + timeout
        while token.encode() not in self.output_bytes():
            if self.proc.poll() is not None:
                raise RuntimeError(f"syslog-ng exited with {self.proc.returncode}:\n{self.stderr_text()}")
            if time.monotonic() > deadline:
                raise WaitTimeout(f"syslog-ng TLS source not ready after {timeout:.0f}s:\n{self.stderr_text()}")
            try:
                send_tls(self.port, message, self.ca, self.probe_client if self.client_auth else None)
            except OSError:
                pass  # not listening yet
            time.sleep(0.1)

    def messages(self) -> list[str]:
        """The MSG of every message received so far (probes left out), in arrival order."""
        lines = self.output_bytes().decode("utf-8", errors="replace").split("\n")[:-1]
        return [line for line in lines if not line.startswith("probe-")]

    def wait_for(self, n: int, timeout: float = 30.0) -> list[str]:
        wait_until(lambda: len(self.messages()) >= n, timeout, f"{n} messages at syslog-ng",
                   describe=lambda: f"{len(self.messages())} messages; stderr: {self.stderr_text()[-500:]}")
        return self.messages()

    def unclean_closes(self) -> list[str]:
        return [line for line in self.stderr_text().splitlines() if any(s in line for s in UNCLEAN_CLOSE)]
