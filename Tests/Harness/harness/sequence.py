"""Checking numbered lines: complete, in order, and duplicated only as replayed windows.

At-least-once delivery after a crash re-sends what was in flight: the receiver then sees
1 2 3 4 5 6 | 4 5 6 | 7 8 ...  (a replayed window: a run that restarts below the highest number
seen so far and counts up again without a hole). Anything else is a defect: a number never seen
(loss), a number that arrives late after a hole was passed (reordering), a duplicate that is not
part of such a run.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Protocol


@dataclass
class SequenceReport:
    first: int
    last: int
    received: int = 0
    missing: list[tuple[int, int]] = field(default_factory=list)  # inclusive ranges never seen
    windows: list[tuple[int, int]] = field(default_factory=list)  # replayed runs (from, to), inclusive
    duplicates: int = 0
    anomalies: list[str] = field(default_factory=list)  # reorderings, stray duplicates, foreign values

    @property
    def missing_count(self) -> int:
        return sum(b - a + 1 for a, b in self.missing)

    @property
    def distinct(self) -> int:
        return self.received - self.duplicates - len(self.anomalies)

    def summary(self) -> str:
        def ranges(rs, limit=8):
            text = ", ".join(f"{a}-{b}" if a != b else f"{a}" for a, b in rs[:limit])
            return text + (f", ... ({len(rs)} ranges)" if len(rs) > limit else "")

        parts = [f"{self.received} received for {self.first}..{self.last}",
                 f"{self.missing_count} missing" + (f" [{ranges(self.missing)}]" if self.missing else ""),
                 f"{self.duplicates} duplicates in {len(self.windows)} replayed windows"
                 + (f" [{ranges(self.windows)}]" if self.windows else "")]
        if self.anomalies:
            parts.append(f"{len(self.anomalies)} anomalies: {self.anomalies[:8]}")
        return "; ".join(parts)

    def assert_complete(self, max_windows: int = 0) -> None:
        """Every number arrived, in order; duplicates only as at most `max_windows` replayed windows."""
        problems = []
        if self.missing:
            problems.append("lines lost")
        if self.anomalies:
            problems.append("out of order or stray duplicates")
        if len(self.windows) > max_windows:
            problems.append(f"more than {max_windows} replayed windows")
        assert not problems, f"{', '.join(problems)}: {self.summary()}"


def analyze(values: list[int], first: int, last: int) -> SequenceReport:
    """Analyses `values` (in arrival order) against the sequence first..last."""
    r = SequenceReport(first, last, received=len(values))
    seen = bytearray(last - first + 1)
    high = first - 1  # the highest number delivered in order so far
    replay: list[int] | None = None  # [start, position] of the window being replayed
    for v in values:
        if not first <= v <= last:
            r.anomalies.append(f"foreign value {v}")
            continue
        i = v - first
        if replay is not None:
            if v == replay[1] + 1 and v <= high and seen[i]:
                replay[1] = v
                r.duplicates += 1
                if v == high:
                    r.windows.append((replay[0], replay[1]))
                    replay = None
                continue
            r.windows.append((replay[0], replay[1]))  # a window that stopped short of the top
            replay = None
        if v == high + 1:
            high = v
            seen[i] = 1
        elif v <= high:
            if seen[i]:
                r.duplicates += 1
                if v == high:
                    r.windows.append((v, v))
                else:
                    replay = [v, v]
            else:
                r.anomalies.append(f"{v} arrived after {high} (late, out of order)")
                seen[i] = 1
        else:  # a hole: high+1 .. v-1 not (yet) seen
            high = v
            seen[i] = 1
    if replay is not None:
        r.windows.append((replay[0], replay[1]))
    # Missing: ranges of unseen numbers.
    start = None
    for i, s in enumerate(seen):
        if not s and start is None:
            start = i
        elif s and start is not None:
            r.missing.append((first + start, first + i - 1))
            start = None
    if start is not None:
        r.missing.append((first + start, last))
    return r


def numbers(lines: list[bytes], prefix: bytes = b"") -> tuple[list[int], list[bytes]]:
    """The integers of lines that are `prefix` + digits; other lines are returned separately."""
    out, other = [], []
    n = len(prefix)
    for line in lines:
        if line.startswith(prefix) and line[n:].isdigit():
            out.append(int(line[n:]))
        else:
            other.append(line)
    return out, other


class LineSource(Protocol):
    """What wait_complete reads: a receiver's line count and its lines."""

    def count(self) -> int: ...

    def lines(self) -> list[bytes]: ...


def wait_complete(receivers: list[LineSource], first: int, last: int,
                  numbers_of: Callable[[list[bytes]], list[int]], timeout: float, stall: float,
                  interval: float = 0.2) -> None:
    """Wait until every number first..last has arrived, at any of `receivers` (`numbers_of` reads
    them from the lines). Gives up early when nothing has arrived for `stall` seconds (make it longer
    than the reconnect backoff): what is missing then is lost, and waiting longer would only slow a
    failing run down. The error says what is missing."""
    n = last - first + 1
    deadline = time.monotonic() + timeout
    seen, progress = -1, time.monotonic()
    while True:
        count = sum(r.count() for r in receivers)
        if count != seen:
            seen, progress = count, time.monotonic()
        # Reading every line is the expensive part: only once there can be enough of them.
        if count >= n and len(set(numbers_of([l for r in receivers for l in r.lines()]))) >= n:
            return
        now = time.monotonic()
        if now >= deadline or now - progress >= stall:
            got = sorted(set(numbers_of([l for r in receivers for l in r.lines()])))
            why = f"nothing arrived for {stall:.0f}s" if now < deadline else f"timed out after {timeout:.0f}s"
            raise AssertionError(f"{why} waiting for lines {first}..{last}: {analyze(got, first, last).summary()}")
        time.sleep(interval)
