"""Poll until a condition holds, or fail with a message that says what was awaited and what was seen."""

from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")


class WaitTimeout(AssertionError):
    """A condition did not hold in time. An AssertionError so pytest shows it as a test failure."""


def wait_until(
    probe: Callable[[], T],
    timeout: float,
    what: str,
    interval: float = 0.05,
    describe: Callable[[], str] | None = None,
) -> T:
    """Call probe() until it returns something truthy; return that value.

    Raises WaitTimeout after `timeout` seconds. `describe()` (if given) is appended to the error,
    to show the state that was observed last (e.g. how many messages had arrived).
    """
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() >= deadline:
            detail = f"; last seen: {describe()}" if describe else ""
            raise WaitTimeout(f"timed out after {timeout:.0f}s waiting for {what}{detail}")
        time.sleep(interval)


def wait_until_stable(read_size: Callable[[], int], quiet: float, timeout: float, what: str) -> int:
    """Wait until read_size() stops changing for `quiet` seconds (e.g. a file that stops growing)."""
    deadline = time.monotonic() + timeout
    last = read_size()
    last_change = time.monotonic()
    while True:
        time.sleep(min(0.05, quiet))
        size = read_size()
        now = time.monotonic()
        if size != last:
            last, last_change = size, now
        elif now - last_change >= quiet:
            return size
        if now >= deadline:
            raise WaitTimeout(f"timed out after {timeout:.0f}s waiting for {what} to stop changing")


def wait_while_progressing(done: Callable[[], bool], progress: Callable[[], int], timeout: float,
                           stall: float = 10.0, interval: float = 0.2) -> bool:
    """Wait until done() holds; True if it did. False after `timeout`, or as soon as progress() (e.g. a
    count of lines received) has not changed for `stall` seconds: what is missing then is lost, and
    waiting longer would only slow a failing run down. The caller reports what it saw and asserts."""
    deadline = time.monotonic() + timeout
    seen, last_change = None, time.monotonic()
    while True:
        if done():
            return True
        now = time.monotonic()
        value = progress()
        if value != seen:
            seen, last_change = value, now
        if now >= deadline or now - last_change >= stall:
            return False
        time.sleep(interval)
