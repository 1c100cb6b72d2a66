"""A private rsyslogd with a TLS input next to its plain ones, for either of rsyslog's TLS network
stream drivers: `gtls` (GnuTLS, Debian package rsyslog-gnutls) or `ossl` (OpenSSL, rsyslog-openssl).

The TLS input writes to the same record file as the plain inputs (see rsyslog.py). Options:
  tls_version   "1.2" or "1.3" to accept only that version (the driver's priority string), None for both
  client_auth   require a client certificate signed by the CA (StreamDriver.AuthMode x509/certvalid)
restart() starts it again on the same ports with other settings (a reissued certificate, say).
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from pathlib import Path

from .certificates import Identity
from .receivers import free_port
from .rsyslog import PROBE_APP, Rsyslog
from .tls_client import send_tls
from .waiting import WaitTimeout

PRIORITY = {
    "gtls": {"1.2": "NORMAL:-VERS-ALL:+VERS-TLS1.2", "1.3": "NORMAL:-VERS-ALL:+VERS-TLS1.3"},
    # The ossl driver takes OpenSSL SSL_CONF commands, one per line.
    "ossl": {"1.2": "MinProtocol=TLSv1.2\\nMaxProtocol=TLSv1.2", "1.3": "MinProtocol=TLSv1.3"},
}

# What each driver logs when a client ends a session without close_notify (or resets it):
# a receiver may drop data in that case, so the tests require that none of these appear.
UNCLEAN_CLOSE = ("non-properly terminated", "unexpected eof", "Connection reset", "will be closed due to error")


class TLSRsyslog(Rsyslog):
    def __init__(self, workdir: str | os.PathLike, driver: str, ca: Path, server: Identity,
                 tls_version: str | None = None, client_auth: bool = False, probe_client: Identity | None = None,
                 tls_port: int | None = None, **kwargs):
        super().__init__(workdir, **kwargs)
        assert driver in PRIORITY, driver
        self.driver = driver
        self.ca = Path(ca)
        self.server = server
        self.tls_version = tls_version
        self.client_auth = client_auth
        self.probe_client = probe_client  # the certificate the readiness probe presents under client_auth
        self.tls_port = tls_port or free_port(socket.SOCK_STREAM)

    @property
    def tls_address(self) -> str:
        return f"tcp+tls://127.0.0.1:{self.tls_port}"

    def config(self) -> str:
        params = [
            'type="imtcp"', 'address="127.0.0.1"', f'port="{self.tls_port}"', 'ruleset="logship"',
            f'StreamDriver.Name="{self.driver}"', 'StreamDriver.Mode="1"',
            f'StreamDriver.AuthMode="{"x509/certvalid" if self.client_auth else "anon"}"',
            f'StreamDriver.CAFile="{self.ca}"', f'StreamDriver.CertFile="{self.server.cert}"',
            f'StreamDriver.KeyFile="{self.server.key}"',
        ]
        if self.tls_version:
            params.append(f'gnutlsPriorityString="{PRIORITY[self.driver][self.tls_version]}"')
        # One worker on the main queue: with two (rsyslog's choice under load) batches are written
        # out of order, and these tests check order as well as completeness.
        return super().config() + 'main_queue(queue.workerThreads="1")\n' + f"input({' '.join(params)})\n"

    def _probe_inputs(self, timeout: float) -> None:
        super()._probe_inputs(timeout)
        token = f"probe-tls-{uuid.uuid4().hex}"
        message = f"<13>1 - - {PROBE_APP} - - - {token}\n".encode()
        deadline = time.monotonic() + timeout
        while token.encode() not in self.output_bytes():
            if self.proc.poll() is not None:
                raise RuntimeError(f"rsyslogd exited with {self.proc.returncode}:\n{self.stderr_text()}")
            if time.monotonic() > deadline:
                raise WaitTimeout(f"rsyslog TLS input ({self.driver}) not ready after {timeout:.0f}s:\n{self.stderr_text()}")
            try:
                send_tls(self.tls_port, message, self.ca, self.probe_client if self.client_auth else None)
            except OSError:
                pass  # not listening yet
            time.sleep(0.1)

    def restart(self, **changes) -> "TLSRsyslog":
        """Stop (after the output settles) and start again on the same ports with `changes` applied."""
        self.stop(quiet=0.3)
        for name, value in changes.items():
            assert hasattr(self, name), name
            setattr(self, name, value)
        return self.start()

    def unclean_closes(self) -> list[str]:
        """rsyslog's complaints about sessions that ended without close_notify, or were reset."""
        return [line for line in self.stderr_text().splitlines() if any(s in line for s in UNCLEAN_CLOSE)]
