"""A private rsyslogd with a RELP input (imrelp, Debian package rsyslog-relp) next to its plain
ones, all into one ruleset that writes each message before taking the next: a Direct queue and
omfile with asyncWriting off (`Rsyslog(durable=True)`). So an acknowledged RELP message is a
written one, which is what lets a test kill rsyslog and count what a sender lost. (`durable=False`
gives rsyslog's default ruleset, for the benchmark's comparison.)

TLS (`tls=RELPTLS(...)`): imrelp's OpenSSL driver, chosen by a module parameter
(`module(load="imrelp" tls.tlslib="openssl")`, not an input one), the server certificate and CA
of a `certificates.CertificateSet`, and client authentication by `tls.authMode` ("certvalid": any
certificate the CA signed; "name": one whose name is in `tls.permittedPeer`).
"""

from __future__ import annotations

import os
import signal
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from .certificates import Identity
from .receivers import free_port
from .relp_client import send_relp
from .rsyslog import PROBE_APP, Rsyslog
from .sequence import analyze
from .waiting import WaitTimeout


@dataclass
class RELPTLS:
    ca: Path
    server: Identity
    auth_mode: str | None = None  # None: no client certificate asked for; "certvalid" or "name"
    permitted_peer: str | None = None  # for auth_mode "name"
    probe_client: Identity | None = None  # what the readiness probe presents when auth_mode is set


class RELPRsyslog(Rsyslog):
    def __init__(self, workdir: str | os.PathLike, relp_port: int | None = None, tls: RELPTLS | None = None,
                 durable: bool = True, **kwargs):
        super().__init__(workdir, durable=durable, **kwargs)
        self.relp_port = relp_port or free_port(socket.SOCK_STREAM)
        self.tls = tls

    @property
    def relp_address(self) -> str:
        return f"{'relp+tls' if self.tls else 'relp'}://127.0.0.1:{self.relp_port}"

    def config(self) -> str:
        params = ['type="imrelp"', 'address="127.0.0.1"', f'port="{self.relp_port}"', 'ruleset="logship"']
        module = 'module(load="imrelp")'
        if self.tls:
            module = 'module(load="imrelp" tls.tlslib="openssl")'
            params += ['tls="on"', f'tls.caCert="{self.tls.ca}"', f'tls.myCert="{self.tls.server.cert}"',
                       f'tls.myPrivKey="{self.tls.server.key}"']
            if self.tls.auth_mode:
                params.append(f'tls.authMode="{self.tls.auth_mode}"')
            if self.tls.permitted_peer:
                params.append(f'tls.permittedPeer=["{self.tls.permitted_peer}"]')
        return super().config() + module + "\n" + f"input({' '.join(params)})\n"

    def _probe_inputs(self, timeout: float) -> None:
        super()._probe_inputs(timeout)
        token = f"probe-relp-{uuid.uuid4().hex}"
        message = f"<13>1 - - {PROBE_APP} - - - {token}".encode()
        deadline = time.monotonic() + timeout
        while token.encode() not in self.output_bytes():
            if self.proc.poll() is not None:
                raise RuntimeError(f"rsyslogd exited with {self.proc.returncode}:\n{self.stderr_text()}")
            if time.monotonic() > deadline:
                raise WaitTimeout(f"rsyslog RELP input not ready after {timeout:.0f}s:\n{self.stderr_text()}")
            try:
                send_relp(self.relp_port, [message], tls_ca=self.tls.ca if self.tls else None,
                          client=self.tls.probe_client if self.tls else None)
            except OSError:
                pass  # not listening yet
            time.sleep(0.1)

    def signal_and_wait(self, sig: int) -> None:
        """SIGKILL (a crash: what sat in rsyslog's buffers is gone) or SIGTERM (a stop: it sends RELP
        serverclose and ends), and wait for the process to be gone. start() runs it again on the
        same ports, appending to the same output file."""
        assert self.proc is not None and self.proc.poll() is None, "rsyslogd is not running"
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout=15)
        except Exception:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=5)
        # A pid file left behind by a killed rsyslogd makes the next start refuse to run.
        self.pid_path.unlink(missing_ok=True)


def numbers(rx: RELPRsyslog, tag: str) -> list[int]:
    """The numbered lines `rx` stored with APP-NAME `tag`, in the order it wrote them."""
    return [int(m["msg"]) for m in rx.messages() if m["app_name"] == tag]


def wait_for_numbers(rx: RELPRsyslog, tag: str, n: int, timeout: float = 60, stall: float = 12,
                     poll: float = 0.25) -> None:
    """Until 1..n have all arrived with `tag`; gives up after `stall` s without progress (longer
    than the 5 s reconnect backoff) or after `timeout`, saying what is missing."""
    seen, progress, deadline = -1, time.monotonic(), time.monotonic() + timeout
    while True:
        got = numbers(rx, tag)
        if len(set(got)) >= n:
            return
        if len(got) != seen:
            seen, progress = len(got), time.monotonic()
        if time.monotonic() - progress > stall or time.monotonic() > deadline:
            raise AssertionError(f"{tag}: {analyze(got, 1, n).summary()}")
        time.sleep(poll)
