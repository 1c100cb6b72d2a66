"""StreamReceiver over TLS: every connection is wrapped with Python's ssl (server side) before its
bytes are recorded, so tests and benchmarks can compare TLS and plain TCP through the same receiver."""

from __future__ import annotations

import socket
import ssl

from .certificates import Identity
from .receivers import StreamReceiver


class TLSStreamReceiver(StreamReceiver):
    def __init__(self, server: Identity, port: int | None = None, host: str = "127.0.0.1"):
        super().__init__(port=port, host=host)
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(str(server.cert), str(server.key))

    @property
    def address(self) -> str:
        return f"tcp+tls://{self.host}:{self.port}"

    def _read_loop(self, conn: socket.socket, buf: bytearray) -> None:
        try:
            tls = self.context.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError):
            return  # a failed handshake: nothing to record
        while True:
            try:
                chunk = tls.recv(1 << 16)
            except (ssl.SSLError, OSError):
                return
            if not chunk:
                return
            with self._lock:
                buf += chunk
                self._newlines += chunk.count(b"\n")
                self._nuls += chunk.count(b"\0")
