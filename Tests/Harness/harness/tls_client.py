"""A small TLS client for receivers' readiness probes (Python's ssl, verifying the receiver)."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

from .certificates import Identity


def send_tls(port: int, data: bytes, ca: Path, client: Identity | None = None, host: str = "127.0.0.1",
             server_name: str = "localhost", timeout: float = 2.0) -> None:
    """Connect, send `data`, and close cleanly (close_notify, then wait for the receiver's close).

    The receiver's certificate is not checked: this proves readiness, and some tests give the
    receiver an expired or misnamed certificate on purpose."""
    context = ssl.create_default_context(cafile=str(ca))
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if client is not None:
        context.load_cert_chain(str(client.cert), str(client.key))
    with socket.create_connection((host, port), timeout=timeout) as raw:
        with context.wrap_socket(raw, server_hostname=server_name) as tls:
            tls.sendall(data)
            try:
                tls.unwrap()
            except (ssl.SSLError, OSError):
                pass  # a receiver that closes without its own close_notify: the data is sent
