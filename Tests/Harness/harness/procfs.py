"""What a running process holds, read from /proc: its resident memory, its descriptors, the size of
every pipe it has open. Used by the tests that bound the plugin's memory and its pipe buffers, for a
plugin run by the integration harness and for the managed plugin on a real engine alike (host PIDs).
"""

from __future__ import annotations

import fcntl
import os
import stat
import threading
import time

F_GETPIPE_SZ = 1032  # <linux/fcntl.h>; Python's fcntl module has it only from 3.10 on some builds


def rss_bytes(pid: int) -> int:
    """VmRSS of `pid`, in bytes."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError(f"/proc/{pid}/status has no VmRSS line (a zombie?)")


def fd_targets(pid: int) -> dict[int, str]:
    """Descriptor number -> what it points to (`pipe:[123]`, `socket:[456]`, a path)."""
    out = {}
    base = f"/proc/{pid}/fd"
    for name in os.listdir(base):
        try:
            out[int(name)] = os.readlink(f"{base}/{name}")
        except OSError:
            continue  # closed meanwhile
    return out


def pipe_sizes(pid: int) -> dict[int, tuple[str, int]]:
    """Every pipe and FIFO `pid` holds: descriptor -> (target, buffer size in bytes).

    Each is opened anew through /proc/PID/fd/N (O_RDONLY|O_NONBLOCK: neither blocks nor takes data)
    and asked F_GETPIPE_SZ; the size is the pipe's, whichever end the process holds."""
    out = {}
    for fd, target in fd_targets(pid).items():
        path = f"/proc/{pid}/fd/{fd}"
        try:
            if not stat.S_ISFIFO(os.stat(path).st_mode):
                continue
            mine = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            continue  # closed meanwhile
        try:
            out[fd] = (target, fcntl.fcntl(mine, F_GETPIPE_SZ))
        finally:
            os.close(mine)
    return out


class RssSampler:
    """Samples a process's VmRSS every `interval` seconds from a thread; `peak` is the largest seen.
    Stops by itself when the process is gone (`gone` is then set)."""

    def __init__(self, pid: int, interval: float = 0.05):
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self.samples = 0
        self.gone = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"rss-{pid}")

    def start(self) -> "RssSampler":
        self._thread.start()
        return self

    def stop(self) -> int:
        self._stop.set()
        self._thread.join(5)
        return self.peak

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, rss_bytes(self.pid))
                self.samples += 1
            except (OSError, AssertionError):
                self.gone = True
                return
            time.sleep(self.interval)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
