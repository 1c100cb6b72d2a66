"""A scripted RELP server in Python: answers `open` like librelp, and each `syslog` command as a
script says (an answer such as "200 OK" or "500 busy", or None for no answer at all), recording
every message with the connection it came on and when. For what rsyslog will not do on demand:
refuse a message, or take messages and never answer.

A command without an answer is never answered on its connection: the RELP client must give that
session up (or wait), as it would with a hung receiver.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from typing import Callable

from .receivers import free_port, shut_down_and_close
from .relp_client import frame, read_frame

OPEN_ANSWER = b"200 OK\nrelp_version=0\nrelp_software=harness\ncommands=syslog"


@dataclass
class Received:
    connection: int
    txnr: int
    message: bytes
    at: float  # time.monotonic()
    answer: str | None


class ScriptedRELPServer:
    def __init__(self, answer: Callable[[int, bytes], str | None] = lambda index, message: "200 OK", port: int | None = None):
        """answer(index, message): index counts syslog commands from 0 over all connections."""
        self.answer = answer
        self.port = port or free_port()
        self.received: list[Received] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._threads: list[threading.Thread] = []

    @property
    def address(self) -> str:
        return f"relp://127.0.0.1:{self.port}"

    def start(self) -> "ScriptedRELPServer":
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", self.port))
        ls.listen(16)
        self._listener = ls
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()
        self._threads.append(t)
        return self

    def stop(self) -> None:
        if self._listener:
            self._listener.close()
            self._listener = None
        with self._lock:
            sockets = list(self._sockets)
        for s in sockets:
            shut_down_and_close(s)
        for t in self._threads:
            t.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def messages(self) -> list[bytes]:
        with self._lock:
            return [r.message for r in self.received]

    def _accept(self) -> None:
        while self._listener is not None:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                number = self.connections
                self._sockets.append(conn)
            t = threading.Thread(target=self._serve, args=(conn, number), daemon=True)
            t.start()
            self._threads.append(t)

    def _serve(self, conn: socket.socket, number: int) -> None:
        buffer = bytearray()
        silent = False  # after a command left unanswered, later ones cannot be answered either
        try:
            while True:
                txnr, command, data = read_frame(conn, buffer)
                if command == b"open":
                    conn.sendall(frame(txnr, b"rsp", OPEN_ANSWER))
                elif command == b"close":
                    conn.sendall(frame(txnr, b"rsp") + frame(0, b"serverclose"))
                    return
                elif command == b"syslog":
                    with self._lock:
                        index = len(self.received)
                        reply = None if silent else self.answer(index, data)
                        self.received.append(Received(number, txnr, data, time.monotonic(), reply))
                    if reply is None:
                        silent = True
                    else:
                        conn.sendall(frame(txnr, b"rsp", reply.encode()))
        except (ConnectionError, OSError):
            return
        finally:
            conn.close()
