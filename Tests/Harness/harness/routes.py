"""logship's configuration directory as a test writes it: routes.conf, changed the ways operators change it.

RoutesDir.write(text, how)  puts `text` in routes.conf the way
    "atomic"    a configuration tool does (Ansible, Puppet): a temporary file in the same directory,
                renamed over routes.conf;
    "editor"    an editor does (vim's default): the old file renamed away, a new one written in its place;
    "in-place"  a shell redirect does: routes.conf truncated and written.
route_text(name, **options)  one `[route NAME]` section (option names with "-", given with "_").
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

WAYS = ("atomic", "editor", "in-place")


def route_text(name: str, **options: str) -> str:
    lines = [f"[route {name}]"] + [f"{key.replace('_', '-')} = {value}" for key, value in options.items()]
    return "\n".join(lines) + "\n\n"


class RoutesDir:
    def __init__(self, directory: str | os.PathLike | None = None):
        """A directory of its own (removed by `remove`), or `directory` as it is."""
        self.owned = directory is None
        self.path = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="logship-config-"))
        # dockerd bind-mounts it into a plugin that reads it as root; world-readable keeps it simple.
        os.chmod(self.path, 0o755)

    @property
    def file(self) -> Path:
        return self.path / "routes.conf"

    def write(self, text: str, how: str = "atomic") -> None:
        if how == "atomic":
            temporary = self.path / ".routes.conf.tmp"
            temporary.write_text(text)
            os.chmod(temporary, 0o644)
            os.rename(temporary, self.file)
        elif how == "editor":
            if self.file.exists():
                os.rename(self.file, self.path / "routes.conf~")
            with open(self.file, "w") as f:
                f.write(text)
            os.chmod(self.file, 0o644)
            (self.path / "routes.conf~").unlink(missing_ok=True)
        elif how == "in-place":
            with open(self.file, "r+" if self.file.exists() else "w") as f:
                f.truncate(0)
                f.write(text)
            os.chmod(self.file, 0o644)
        else:
            raise ValueError(f"unknown way of writing {how!r}; one of {WAYS}")

    def copy_in(self, source: str | os.PathLike, name: str) -> None:
        shutil.copyfile(source, self.path / name)
        os.chmod(self.path / name, 0o644)

    def remove(self) -> None:
        if self.owned:
            shutil.rmtree(self.path, ignore_errors=True)
