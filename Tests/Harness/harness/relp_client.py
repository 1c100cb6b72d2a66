"""A minimal RELP client (librelp's protocol, doc/relp.md): open, syslog commands, close, each
answered in order. The receivers' readiness probes use it; the tests use logship."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

from .certificates import Identity

OFFERS = b"relp_version=0\nrelp_software=logship-harness\ncommands=syslog"


def frame(txnr: int, command: bytes, data: bytes = b"") -> bytes:
    """TXNR SP COMMAND SP DATALEN [SP DATA] LF."""
    return b"%d %s %d%s\n" % (txnr, command, len(data), b" " + data if data else b"")


def read_frame(sock, buffer: bytearray) -> tuple[int, bytes, bytes]:
    """The next frame from `sock` (bytes left over stay in `buffer`): (txnr, command, data)."""
    while True:
        header_end = _header_end(buffer)
        if header_end is not None:
            txnr, command, length = bytes(buffer[:header_end]).split(b" ")
            length = int(length)
            start = header_end + (1 if length else 0)
            end = start + length
            if len(buffer) > end:
                assert buffer[end:end + 1] == b"\n", f"frame without LF: {bytes(buffer[:end + 1])!r}"
                data = bytes(buffer[start:end])
                del buffer[:end + 1]
                return int(txnr), command, data
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"connection closed with {bytes(buffer)!r} unread")
        buffer += chunk


def _header_end(buffer: bytearray) -> int | None:
    """Where TXNR SP COMMAND SP DATALEN ends (the SP or LF after it), once it is all there."""
    spaces = 0
    for i, b in enumerate(buffer[:64]):
        if b == 0x20:
            spaces += 1
            if spaces == 3:
                return i
        elif b == 0x0A and spaces == 2:
            return i
    return None


def send_relp(port: int, messages: list[bytes], host: str = "127.0.0.1", tls_ca: Path | None = None,
              client: Identity | None = None, timeout: float = 2.0) -> list[bytes]:
    """Open a session, send `messages`, close; returns the answers' data (b"200 OK" for each).
    With `tls_ca`, over TLS (the server's certificate is not checked: this proves readiness)."""
    raw = socket.create_connection((host, port), timeout=timeout)
    sock = raw
    try:
        if tls_ca is not None:
            context = ssl.create_default_context(cafile=str(tls_ca))
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            if client is not None:
                context.load_cert_chain(str(client.cert), str(client.key))
            sock = context.wrap_socket(raw, server_hostname="localhost")
        buffer = bytearray()
        sock.sendall(frame(1, b"open", OFFERS))
        txnr, command, data = read_frame(sock, buffer)
        if (txnr, command) != (1, b"rsp") or not data.startswith(b"200"):
            raise ConnectionError(f"open refused: {txnr} {command!r} {data!r}")
        answers = []
        for i, message in enumerate(messages, start=2):
            sock.sendall(frame(i, b"syslog", message))
            answers.append(read_frame(sock, buffer)[2])
        sock.sendall(frame(len(messages) + 2, b"close"))
        try:
            read_frame(sock, buffer)
        except (ConnectionError, OSError):
            pass
        return answers
    finally:
        sock.close()
