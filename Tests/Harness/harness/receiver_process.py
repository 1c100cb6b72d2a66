"""ReceiverProcess: what every receiver daemon the tests run (rsyslog, syslog-ng) has in common.

Each writes what it receives to `output_path` and its own complaints to `stderr_path`, runs as
`proc`, and is stopped the lossless way: wait until its output stops growing (the sender must be
done first), then SIGTERM (rsyslog discards the batch it is processing when killed mid-batch).
"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

from .waiting import wait_until_stable


class ReceiverProcess:
    proc: subprocess.Popen | None
    output_path: Path
    stderr_path: Path

    def stop(self, quiet: float = 0.5, timeout: float = 60.0) -> None:
        """Wait until the output file stops growing (the sender must be done), then SIGTERM."""
        if self.proc is None or self.proc.poll() is not None:
            return
        wait_until_stable(self._output_size, quiet, timeout, str(self.output_path))
        self._kill()

    def _kill(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _output_size(self) -> int:
        try:
            return self.output_path.stat().st_size
        except FileNotFoundError:
            return 0

    def output_bytes(self) -> bytes:
        """Everything the receiver has written to its output file so far (b"" before it exists)."""
        try:
            return self.output_path.read_bytes()
        except FileNotFoundError:
            return b""

    def stderr_text(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""
