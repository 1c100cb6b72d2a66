"""A container's output arriving in the daemon's FIFO, written from a thread and timed.

The daemon's copier writes into the FIFO with blocking writes: when the plugin stops reading, the
1 MiB pipe fills and the container stalls. FifoWriter plays that writer without ever hanging a
test: the descriptor is non-blocking and every chunk is pushed with select(), so it measures how
long each chunk would have blocked (`longest`), keeps going while the pipe drains, and gives up
(recording `error`) only when nothing could be written for `stall_timeout` seconds, or `abort()`.
"""

from __future__ import annotations

import os
import select
import threading
import time
from typing import Iterable

# A write into the FIFO that takes longer than this counts as the container being blocked. Generous:
# this is a behavioural check on a loaded CI machine, not a benchmark.
STALL_LIMIT = 1.0


class FifoWriter:
    def __init__(self, fd: int, chunks: Iterable[bytes], *, interval: float | None = None,
                 stall_timeout: float = 60.0, name: str = "fifo-writer"):
        """interval: seconds between the starts of consecutive chunks (None: back to back)."""
        self.fd = fd
        self.chunks = chunks
        self.interval = interval
        self.stall_timeout = stall_timeout
        self.written = 0  # bytes
        self.chunks_done = 0
        self.durations: list[float] = []  # seconds each chunk took to be accepted whole
        self.starts: list[float] = []  # when each chunk's write began (time.monotonic())
        self.error: str | None = None
        self.last_progress = time.monotonic()
        self.began = 0.0
        self.ended = 0.0
        self._abort = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=name)

    # -- control ---------------------------------------------------------------------------------
    def start(self) -> "FifoWriter":
        os.set_blocking(self.fd, False)
        self.began = time.monotonic()
        self._thread.start()
        return self

    def abort(self) -> None:
        self._abort.set()

    def join(self, timeout: float) -> None:
        """Wait for the writer to finish; fail if it has not after `timeout` or if it gave up."""
        self._thread.join(timeout)
        if self._thread.is_alive():
            self.abort()
            self._thread.join(5)
            raise AssertionError(f"writer still writing after {timeout:.0f}s: {self.describe()}")
        if self.error:
            raise AssertionError(f"writer failed: {self.error}; {self.describe()}")

    @property
    def done(self) -> bool:
        return not self._thread.is_alive() and self.began > 0

    @property
    def longest(self) -> float:
        return max(self.durations, default=0.0)

    def longest_outside(self, windows: list[tuple[float, float]]) -> float:
        """The longest chunk write that did not overlap any of `windows` ((start, end) monotonic
        times, e.g. while the plugin was down and the pipe was allowed to fill)."""
        def overlaps(a: float, b: float) -> bool:
            return any(a < end and b > start for start, end in windows)
        return max((d for s, d in zip(self.starts, self.durations) if not overlaps(s, s + d)), default=0.0)

    def idle_for(self) -> float:
        """Seconds since the last byte went into the pipe."""
        return time.monotonic() - self.last_progress

    def describe(self) -> str:
        return (f"{self.chunks_done} chunks, {self.written} bytes written, longest chunk "
                f"{self.longest * 1000:.0f} ms, idle {self.idle_for():.1f}s")

    # -- the thread ------------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            next_start = time.monotonic()
            for chunk in self.chunks:
                if self.interval:
                    delay = next_start - time.monotonic()
                    if delay > 0 and self._abort.wait(delay):
                        return
                    next_start = max(next_start + self.interval, time.monotonic() - self.interval)
                began = time.monotonic()
                if not self._write(chunk):
                    return
                self.starts.append(began)
                self.durations.append(time.monotonic() - began)
                self.chunks_done += 1
        finally:
            self.ended = time.monotonic()

    def _write(self, chunk: bytes) -> bool:
        view = memoryview(chunk)
        while view:
            if self._abort.is_set():
                self.error = self.error or "aborted"
                return False
            try:
                n = os.write(self.fd, view)
            except BlockingIOError:
                if time.monotonic() - self.last_progress > self.stall_timeout:
                    self.error = f"no progress for {self.stall_timeout:.0f}s (the FIFO is not being read)"
                    return False
                select.select([], [self.fd], [], 0.05)
                continue
            except OSError as e:
                self.error = f"write failed: {e}"
                return False
            view = view[n:]
            self.written += n
            self.last_progress = time.monotonic()
        return True
