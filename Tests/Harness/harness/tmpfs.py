"""A small tmpfs mounted for one test (a disk that fills up), unmounted afterwards whatever happened.

Needs root (mount(8)). The mount point is created if missing and removed again if it was created
here; `resize` grows or shrinks the mounted filesystem in place (mount -o remount,size=...), which
is how a test "frees space" without the plugin noticing anything but ENOSPC going away.
"""

from __future__ import annotations

import os
import subprocess
from contextlib import contextmanager
from pathlib import Path


def _run(*args: str) -> None:
    p = subprocess.run(list(args), capture_output=True, text=True)
    if p.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({p.returncode}): {p.stderr.strip()}")


def is_mountpoint(path: str | os.PathLike) -> bool:
    return subprocess.run(["mountpoint", "-q", str(path)]).returncode == 0


def unmount(path: str | os.PathLike) -> None:
    """Unmount, lazily if something (a plugin still running) keeps it busy."""
    if not is_mountpoint(path):
        return
    if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
        _run("umount", "-l", str(path))


class Tmpfs:
    def __init__(self, path: str | os.PathLike, size: str):
        self.path = Path(path)
        self.size = size

    def resize(self, size: str) -> None:
        _run("mount", "-o", f"remount,size={size}", str(self.path))
        self.size = size

    def free_bytes(self) -> int:
        st = os.statvfs(self.path)
        return st.f_bavail * st.f_frsize


@contextmanager
def mounted_tmpfs(path: str | os.PathLike, size: str, mode: str = "0755"):
    """Mount a tmpfs of `size` (e.g. "3m") at `path` for the duration of the block."""
    path = Path(path)
    created = not path.exists()
    path.mkdir(parents=True, exist_ok=True)
    if is_mountpoint(path):
        raise AssertionError(f"{path} is already a mount point (left over from an earlier run?)")
    _run("mount", "-t", "tmpfs", "-o", f"size={size},mode={mode}", "tmpfs", str(path))
    try:
        yield Tmpfs(path, size)
    finally:
        unmount(path)
        if created:
            try:
                path.rmdir()
            except OSError:
                pass
