"""A test host name in /etc/hosts, re-pointed in place and removed again afterwards.

The file is always rewritten in place (same inode): a managed plugin sees the host's /etc/hosts
through a bind mount of that one file, and a bind mount keeps showing the old inode when a file is
replaced by rename, as editors and `sed -i` do.

Only the test's own line is ever added or removed (its name is unique): writing back a snapshot
taken at the start would undo, or resurrect, the lines of another test run working on the file at
the same time. When nobody else touches the file, it ends byte for byte as it was.

A test that needs this fails, never skips, where the file cannot be rewritten: CI runs as root on
Debian 12, where it always can, so a skip there would only hide a DNS test that stopped running.
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

HOSTS = "/etc/hosts"


class HostsFileNotWritable(RuntimeError):
    """The hosts file cannot be rewritten in place here; the message says why and what to do."""


def check_writable(path: str = HOSTS) -> None:
    """Raise HostsFileNotWritable unless `path` is a file that can be rewritten in place."""
    try:
        with open(path, "r+b"):
            pass
    except OSError as e:
        raise HostsFileNotWritable(
            f"{path} cannot be rewritten in place here ({e.strerror}): the DNS-change tests move a host name "
            f"by editing it; run them as root on a machine whose {path} is a writable file (CI: root, Debian 12)"
        ) from e


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _rewrite(path: str, data: bytes) -> None:
    with open(path, "r+b") as f:
        f.seek(0)
        f.write(data)
        f.truncate()
        f.flush()
        os.fsync(f.fileno())


class HostsEntry:
    def __init__(self, name: str, path: str):
        self.name = name
        self.path = path
        self.inode = os.stat(path).st_ino
        self._added = b""  # exactly the bytes this entry put into the file

    def _without_us(self, data: bytes) -> bytes:
        return data.replace(self._added, b"", 1) if self._added else data

    def point(self, address: str) -> None:
        """Make `name` resolve to `address` only, rewriting the file in place."""
        base = self._without_us(_read(self.path))
        line = f"{address} {self.name}\n".encode()
        self._added = (b"\n" if base and not base.endswith(b"\n") else b"") + line
        _rewrite(self.path, base + self._added)
        assert os.stat(self.path).st_ino == self.inode, f"{self.path} was replaced, not rewritten in place"

    def remove(self) -> None:
        if self._added:
            _rewrite(self.path, self._without_us(_read(self.path)))
            self._added = b""
        assert self.name.encode() not in _read(self.path), f"{self.name} is still in {self.path}"


@contextmanager
def temporary_host(address: str, path: str = HOSTS, prefix: str = "logship-test-dns"):
    """A unique host name resolving to `address`, removed from the file at the end."""
    check_writable(path)
    entry = HostsEntry(f"{prefix}-{uuid.uuid4().hex[:8]}", path)
    try:
        entry.point(address)
        yield entry
    finally:
        entry.remove()
