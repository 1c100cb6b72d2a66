"""Fixtures shared by the integration (no Docker) and end-to-end (real Docker) suites."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
# pytest.ini's `pythonpath` does this too; kept for runs that point pytest at another ini.
sys.path.insert(0, str(TESTS / "Harness"))

from harness.receivers import StreamReceiver  # noqa: E402
from harness.rsyslog import Rsyslog  # noqa: E402


@pytest.fixture
def short_tmp():
    """A temp directory with a short path: AF_UNIX socket paths are limited to 107 bytes, and
    pytest's tmp_path (which includes the test name) can be longer."""
    d = Path(tempfile.mkdtemp(prefix="lst-", dir="/tmp"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def rsyslog(short_tmp):
    """A private rsyslogd on free loopback TCP and UDP ports and a unixgram socket.
    Stopped at the end without losing messages (it waits until the output stops growing)."""
    r = Rsyslog(short_tmp / "rsyslog", unixgram_path=str(short_tmp / "rsyslog.sock")).start()
    yield r
    r.stop(quiet=0.5)


@pytest.fixture
def receivers():
    """receivers(**kw) -> a StreamReceiver (not started); every one is stopped at the end."""
    made: list[StreamReceiver] = []

    def make(**kw) -> StreamReceiver:
        r = StreamReceiver(**kw)
        made.append(r)
        return r

    yield make
    for r in made:
        r.stop()
