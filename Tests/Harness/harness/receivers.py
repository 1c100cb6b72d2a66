"""Python log receivers that record the exact bytes they get.

StreamReceiver   TCP (or a unix stream socket): every connection's bytes, kept per connection.
DatagramReceiver UDP (or a unixgram socket): one entry per datagram.

Both can be created on a chosen port before they start listening, started later, stopped and
started again on the same address, which is how the outage tests simulate a receiver that is down.

A StreamReceiver can also read slowly (`rate`, bytes per second, with a small receive buffer so the
kernel cannot hide the slowness), accept connections and not read them at all (`paused`, until
`resume()`: a receiver that hangs, so its sender's writes block once the buffers are full), and
stop the honest way (`stop_draining`): stop listening, tell
every sender it is closing (FIN), read what they still had in flight, then close. A plain `stop()`
resets its connections, and whatever the kernel had already accepted for them is lost: no plain-TCP
sender can notice that loss, so outage tests that count lines must use `stop_draining`.
"""

from __future__ import annotations

import os
import socket
import threading
import time

from .waiting import wait_until


def shut_down_and_close(s: socket.socket) -> None:
    """Ends both directions first (a thread blocked in accept() or recv() on it wakes), then closes."""
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    s.close()


def free_port(kind: int = socket.SOCK_STREAM, host: str = "127.0.0.1") -> int:
    """A port that is free right now on `host` (the kernel picks it; the socket is closed again)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class StreamReceiver:
    """Accepts any number of connections and records each one's bytes in arrival order."""

    def __init__(self, port: int | None = None, host: str = "127.0.0.1", path: str | None = None,
                 rate: float | None = None, rcvbuf: int | None = None, paused: bool = False):
        """rate: read at most this many bytes per second (None: as fast as they come).
        paused: accept connections but read nothing until `resume()` (a hung receiver).
        rcvbuf: SO_RCVBUF for accepted connections (default: 64 KiB when rate is set, 16 KiB when
        paused, else the kernel's)."""
        self.host = host
        self.path = path  # set: a unix stream socket at this path instead of TCP
        self.port = None if path else (port or free_port(socket.SOCK_STREAM, host))
        self.rate = rate
        self.rcvbuf = rcvbuf if rcvbuf is not None else (64 * 1024 if rate else 16 * 1024 if paused else None)
        self._reading = threading.Event()  # cleared while paused
        if not paused:
            self._reading.set()
        self._draining = False
        self._drain_started = 0.0
        self._quiet = 0.3
        # How each connection ended: "eof" (the sender closed), "reset", "quiet" (drained, then
        # closed by us after `quiet` seconds without data) or "forced" (stop() or a drain timeout).
        self.endings: list[str] = []
        self._lock = threading.Lock()
        self._conns: list[bytearray] = []  # one buffer per accepted connection, in accept order
        self._newlines = 0
        self._nuls = 0
        self._listener: socket.socket | None = None
        self._threads: list[threading.Thread] = []
        self._open: list[socket.socket] = []

    # -- lifecycle -------------------------------------------------------------------------------
    @property
    def address(self) -> str:
        """The address in logship's option syntax."""
        return f"unix://{self.path}" if self.path else f"tcp://{self.host}:{self.port}"

    def start(self) -> "StreamReceiver":
        if self.path:
            ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            if os.path.exists(self.path):
                os.unlink(self.path)
            ls.bind(self.path)
        else:
            ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            # Rebinding the same port right after stop() must work even with connections in TIME_WAIT.
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            ls.bind((self.host, self.port))
        if self.rcvbuf:
            # Set on the listener so accepted sockets start with it (and the window scale fits it).
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.rcvbuf)
        ls.listen(64)
        self._draining = False
        self._listener = ls
        t = threading.Thread(target=self._accept_loop, args=(ls,), daemon=True, name="receiver-accept")
        t.start()
        self._threads.append(t)
        return self

    def pause(self) -> None:
        """Stop reading every connection (they stay open; the senders' writes fill the buffers)."""
        self._reading.clear()

    def resume(self) -> None:
        """Read again, every connection, from where each one stopped."""
        self._reading.set()

    @property
    def paused(self) -> bool:
        return not self._reading.is_set()

    def stop(self) -> None:
        """Stop listening and close every connection (the sender sees its connection die)."""
        ls, self._listener = self._listener, None
        if ls is not None:
            shut_down_and_close(ls)  # wakes the thread blocked in accept()
        with self._lock:
            conns, self._open = self._open, []
        for c in conns:
            shut_down_and_close(c)
        for t in self._threads:
            t.join(timeout=5)
        self._threads = []
        if self.path and os.path.exists(self.path):
            os.unlink(self.path)

    def stop_draining(self, quiet: float = 0.3, timeout: float = 15.0) -> list[str]:
        """Stop the way a well-behaved server shuts down, losing nothing a sender wrote.

        1. Stop listening: new connections are refused (the sender sees the receiver as down).
        2. shutdown(SHUT_WR) on every open connection: the sender gets our FIN and, if it checks
           before writing (logship does), stops writing to this connection and reconnects.
        3. Keep reading every connection until the sender closes it (EOF), or until nothing has
           arrived for `quiet` seconds (an idle sender), then close it.
        Returns how the drained connections ended (see `endings`); a connection still open after
        `timeout` is closed by force and reported as "forced".
        """
        self._quiet = quiet
        self._drain_started = time.monotonic()
        self._draining = True
        ls, self._listener = self._listener, None
        if ls is not None:
            shut_down_and_close(ls)
        with self._lock:
            conns = list(self._open)
            first = len(self.endings)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_WR)
            except OSError:
                pass
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(timeout=max(0.0, deadline - time.monotonic()))
        with self._lock:
            left, self._open = self._open, []
        for c in left:  # readers that did not finish in time
            shut_down_and_close(c)
            with self._lock:
                self.endings.append("forced")
        for t in self._threads:
            t.join(timeout=5)
        self._threads = []
        if self.path and os.path.exists(self.path):
            os.unlink(self.path)
        with self._lock:
            return self.endings[first:]

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _accept_loop(self, ls: socket.socket) -> None:
        while True:
            try:
                conn, _ = ls.accept()
            except OSError:
                return  # listener closed by stop()
            with self._lock:
                buf = bytearray()
                self._conns.append(buf)
                self._open.append(conn)
            t = threading.Thread(target=self._read_loop, args=(conn, buf), daemon=True, name="receiver-read")
            t.start()
            self._threads.append(t)

    def _read_loop(self, conn: socket.socket, buf: bytearray) -> None:
        # A short timeout lets the loop notice a drain (stop_draining) and pace itself (rate).
        conn.settimeout(0.05)
        began = time.monotonic()
        taken = 0
        last_data = time.monotonic()
        ending = "forced"
        try:
            while True:
                size = 1 << 16
                if not self._reading.is_set():
                    # Paused: read nothing, but still notice stop() (the socket is closed under us).
                    if conn.fileno() < 0:
                        return
                    self._reading.wait(0.05)
                    continue
                if self.rate:
                    # Pace: never ahead of `rate`; small reads so the pace is smooth.
                    ahead = began + taken / self.rate - time.monotonic()
                    if ahead > 0:
                        time.sleep(min(ahead, 0.05))
                        continue
                    size = max(1024, min(size, int(self.rate / 50)))
                try:
                    chunk = conn.recv(size)
                except socket.timeout:
                    if self._draining and time.monotonic() - max(last_data, self._drain_started) >= self._quiet:
                        ending = "quiet"
                        return
                    continue
                except ConnectionResetError:
                    ending = "reset"
                    return
                except OSError:
                    return  # closed by stop()
                if not chunk:
                    ending = "eof"
                    return
                taken += len(chunk)
                last_data = time.monotonic()
                with self._lock:
                    buf += chunk
                    self._newlines += chunk.count(b"\n")
                    self._nuls += chunk.count(b"\0")
        finally:
            with self._lock:
                self.endings.append(ending)
                still_ours = conn in self._open
                if still_ours:
                    self._open.remove(conn)
            if still_ours:
                conn.close()

    # -- what arrived ----------------------------------------------------------------------------
    @property
    def connection_count(self) -> int:
        with self._lock:
            return len(self._conns)

    def data(self) -> bytes:
        """All bytes received, connections concatenated in the order they were accepted."""
        with self._lock:
            return b"".join(bytes(c) for c in self._conns)

    def connections(self) -> list[bytes]:
        with self._lock:
            return [bytes(c) for c in self._conns]

    def records(self, sep: bytes = b"\n") -> list[bytes]:
        """Complete records (without the separator), per connection, in order.

        A connection's unterminated tail (a record cut off when the connection died) is left out;
        `fragments()` returns those.
        """
        out = []
        for c in self.connections():
            out.extend(c.split(sep)[:-1])
        return out

    def lines(self) -> list[bytes]:
        return self.records(b"\n")

    def fragments(self, sep: bytes = b"\n") -> list[bytes]:
        return [c.split(sep)[-1] for c in self.connections() if c and not c.endswith(sep)]

    def count(self, sep: bytes = b"\n") -> int:
        """Separators seen so far (LF and NUL are counted as bytes arrive, so this is cheap)."""
        with self._lock:
            if sep == b"\n":
                return self._newlines
            if sep == b"\0":
                return self._nuls
        return sum(c.count(sep) for c in self.connections())

    def wait_for_records(self, n: int, timeout: float = 30.0, sep: bytes = b"\n") -> list[bytes]:
        """Wait until at least n records have arrived; return all complete records."""
        wait_until(lambda: self.count(sep) >= n, timeout, f"{n} records at {self.address}",
                   describe=lambda: f"{self.count(sep)} records, {len(self.data())} bytes")
        return self.records(sep)

    def wait_for_lines(self, n: int, timeout: float = 30.0) -> list[bytes]:
        return self.wait_for_records(n, timeout, b"\n")


class DatagramReceiver:
    """Records every datagram on a UDP port or a unixgram socket path."""

    def __init__(self, port: int | None = None, host: str = "127.0.0.1", path: str | None = None):
        self.host = host
        self.path = path
        self.port = None if path else (port or free_port(socket.SOCK_DGRAM, host))
        self._lock = threading.Lock()
        self._datagrams: list[bytes] = []
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> str:
        return f"unixgram://{self.path}" if self.path else f"udp://{self.host}:{self.port}"

    def start(self) -> "DatagramReceiver":
        if self.path:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            if os.path.exists(self.path):
                os.unlink(self.path)
            s.bind(self.path)
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((self.host, self.port))
        # A burst must not overflow the kernel buffer before the thread reads it.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        self._sock = s
        self._thread = threading.Thread(target=self._loop, args=(s,), daemon=True, name="receiver-dgram")
        self._thread.start()
        return self

    def stop(self) -> None:
        s, self._sock = self._sock, None
        if self._thread:
            self._thread.join(timeout=5)
        if s is not None:
            s.close()
        if self.path and os.path.exists(self.path):
            os.unlink(self.path)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _loop(self, s: socket.socket) -> None:
        # A short timeout lets the loop notice stop() without relying on shutdown() waking recv().
        s.settimeout(0.1)
        while self._sock is s:
            try:
                d = s.recv(1 << 17)
            except socket.timeout:
                continue
            except OSError:
                return
            with self._lock:
                self._datagrams.append(d)

    def datagrams(self) -> list[bytes]:
        with self._lock:
            return list(self._datagrams)

    def wait_for_datagrams(self, n: int, timeout: float = 30.0) -> list[bytes]:
        wait_until(lambda: len(self.datagrams()) >= n, timeout, f"{n} datagrams at {self.address}",
                   describe=lambda: f"{len(self.datagrams())} datagrams")
        return self.datagrams()
