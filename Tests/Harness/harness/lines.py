"""Lines that say who wrote them and check themselves, for tests with several streams at once.

Numbered lines   `PREFIX` + 7 digits + padding to a fixed width: which stream, which line; a line that
                 arrives changed (cut, spliced, padded differently) is caught by comparing it with
                 the line rebuilt from its number (`numbers_of`).
Long lines       `L:STREAM:NUMBER:LENGTH:` + a pattern that depends on stream and number, exactly
                 LENGTH bytes: `check_long` rebuilds it and names what is wrong, so the head of a
                 line lost at a crash, a tail arriving as a line of its own, two lines spliced, or
                 a line cut in pieces are all told apart from a whole line.
`wait_numbers`   waits until every number of every stream has arrived, giving up early once
                 nothing has arrived for a while (the missing lines are lost then, not late).
"""

from __future__ import annotations

import hashlib
import random
import time
from collections import Counter
from typing import Callable, Iterable

from . import frames
from .sequence import SequenceReport, analyze


# -- numbered lines ----------------------------------------------------------------------------------
def numbered(prefix: str | bytes, i: int, width: int = 0) -> bytes:
    """`prefix` + 7-digit i, padded with "x" up to `width` bytes."""
    p = prefix.encode() if isinstance(prefix, str) else prefix
    head = p + b"%07d" % i
    return head + b"x" * max(0, width - len(head))


def numbered_chunks(prefix: str | bytes, first: int, last: int, per_chunk: int, width: int = 0) -> list[bytes]:
    """Frames for lines first..last, grouped into writes of `per_chunk` lines."""
    return [b"".join(frames.line_frames(numbered(prefix, i, width)) for i in range(a, min(a + per_chunk, last + 1)))
            for a in range(first, last + 1, per_chunk)]


def numbers_of(lines: Iterable[bytes], prefix: str | bytes, width: int = 0) -> list[int]:
    """The numbers of the lines that start with `prefix`, in arrival order. A line with the prefix
    that is not exactly what was written fails (AssertionError naming it)."""
    p = prefix.encode() if isinstance(prefix, str) else prefix
    n = len(p)
    out = []
    for line in lines:
        if not line.startswith(p):
            continue
        digits = line[n:n + 7]
        if not digits.isdigit():
            raise AssertionError(f"line with prefix {p!r} but no number: {line[:80]!r}")
        i = int(digits)
        if line != numbered(p, i, width):
            raise AssertionError(f"line {p.decode()}{i} arrived changed ({len(line)} bytes): {line[:80]!r}")
        out.append(i)
    return out


def report(lines: list[bytes], prefix: str | bytes, first: int, last: int, width: int = 0) -> SequenceReport:
    return analyze(numbers_of(lines, prefix, width), first, last)


def wait_numbers(get_lines: Callable[[], list[bytes]], expected: dict[str, tuple[int, int]], width: int = 0,
                 timeout: float = 60.0, stall: float = 10.0, count: Callable[[], int] | None = None,
                 check: bool = True) -> bool:
    """Wait until, for every prefix in `expected` (prefix -> (first, last)), every number has arrived.

    `count` (cheap, e.g. StreamReceiver.count) tells whether anything is still arriving; without it
    the lines are counted. Gives up after `timeout`, or after `stall` seconds without a new line:
    then the missing lines are lost, and waiting longer would only slow a failing run down. Giving
    up fails (AssertionError with what arrived), or returns False when `check` is false, so that a
    test can report every number before it asserts."""
    count = count or (lambda: len(get_lines()))
    need = sum(last - first + 1 for first, last in expected.values())
    deadline = time.monotonic() + timeout
    seen, progress = -1, time.monotonic()

    def complete(lines):
        return all(len(set(numbers_of(lines, p, width))) >= last - first + 1 for p, (first, last) in expected.items())

    while True:
        c = count()
        if c != seen:
            seen, progress = c, time.monotonic()
        if c >= need and complete(get_lines()):
            return True
        now = time.monotonic()
        if now >= deadline or now - progress >= stall:
            if not check:
                return False
            lines = get_lines()
            why = f"nothing arrived for {stall:.0f}s" if now < deadline else f"timed out after {timeout:.0f}s"
            state = "; ".join(f"{p}: {analyze(sorted(set(numbers_of(lines, p, width))), a, b).summary()}"
                              for p, (a, b) in expected.items())
            raise AssertionError(f"{why} waiting for every line: {state}")
        time.sleep(0.2)


# -- long self-checking lines --------------------------------------------------------------------------
_ALPHABET = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
_TO_ALPHABET = bytes(_ALPHABET[b % len(_ALPHABET)] for b in range(256))
_PATTERN_CACHE: dict[tuple[str, int], bytes] = {}


def _pattern(stream: str, number: int) -> bytes:
    """A 4096-byte block that differs for every (stream, number): a splice of two lines shows."""
    key = (stream, number)
    block = _PATTERN_CACHE.get(key)
    if block is None:
        seed = hashlib.sha256(f"{stream}:{number}".encode()).digest()
        block = random.Random(seed).randbytes(4096).translate(_TO_ALPHABET)
        if len(_PATTERN_CACHE) > 4096:
            _PATTERN_CACHE.clear()
        _PATTERN_CACHE[key] = block
    return block


def long_line(stream: str, number: int, length: int) -> bytes:
    """Exactly `length` bytes: `L:stream:number:length:` then the line's own pattern."""
    head = f"L:{stream}:{number}:{length}:".encode()
    assert len(head) < length, "line too short for its header"
    block = _pattern(stream, number)
    body_len = length - len(head)
    reps = body_len // len(block) + 1
    return head + (block * reps)[:body_len]


def digits_long_line(stream: str, number: int, length: int) -> bytes:
    """Like `long_line`, with a body a shell can print: the line's number as `%08d|`, repeated. A
    splice of two lines still shows (the numbers differ); `awk_long_lines` prints exactly these."""
    head = f"L:{stream}:{number}:{length}:".encode()
    assert len(head) < length, "line too short for its header"
    need = length - len(head)
    unit = b"%08d|" % number
    return head + (unit * (need // len(unit) + 1))[:need]


def awk_long_lines(stream: str, count: int, length: int, pause_us: int = 0, split: int = 17 * 1024) -> str:
    """A busybox awk program printing `digits_long_line(stream, i, length)` for i in 1..count (for
    containers). With `pause_us`, each line is printed in two writes, the first `split` bytes, then
    `usleep pause_us`, then the rest: Docker's copier passes the first 16 KiB piece on at once and
    the rest only with the newline, so most of the time the line is half in the plugin's FIFO."""
    return (f"awk -v s={stream} -v n={count} -v len={length} -v pause={pause_us} -v cut={split} 'BEGIN {{ "
            f"for (i = 1; i <= n; i++) {{ h = sprintf(\"L:%s:%d:%d:\", s, i, len); u = sprintf(\"%08d|\", i); "
            f"b = u; need = len - length(h); while (length(b) < need) b = b b; l = h substr(b, 1, need); "
            f"if (pause) {{ printf \"%s\", substr(l, 1, cut); fflush(); system(\"usleep \" pause); "
            f"print substr(l, cut + 1) }} else print l; fflush() }} }}'")


def check_long(line: bytes, make: Callable[[str, int, int], bytes] = long_line) -> tuple[str, int]:
    """(stream, number) of a whole, unchanged long line (as `make` builds it: `long_line` or
    `digits_long_line`); ValueError saying what is wrong otherwise."""
    if not line.startswith(b"L:"):
        raise ValueError(f"no header: a piece of a line ({len(line)} bytes, starts {line[:40]!r})")
    parts = line.split(b":", 4)
    if len(parts) < 5:
        raise ValueError(f"broken header ({len(line)} bytes, starts {line[:60]!r})")
    try:
        stream, number, length = parts[1].decode(), int(parts[2]), int(parts[3])
    except ValueError:
        raise ValueError(f"broken header ({len(line)} bytes, starts {line[:60]!r})") from None
    if len(line) != length:
        raise ValueError(f"{stream}:{number} is {len(line)} bytes, was written with {length}: "
                         f"{'cut' if len(line) < length else 'spliced with something else'}")
    if line != make(stream, number, length):
        raise ValueError(f"{stream}:{number} ({length} bytes) has the right length but wrong content (spliced)")
    return stream, number


class LongLineReport:
    """What arrived of several streams of long lines: per stream the numbers (arrival order) and
    every line that was not whole (with why)."""

    def __init__(self, lines: Iterable[bytes], make: Callable[[str, int, int], bytes] = long_line):
        self.numbers: dict[str, list[int]] = {}
        self.bad: list[str] = []
        for line in lines:
            try:
                stream, number = check_long(line, make)
            except ValueError as e:
                self.bad.append(str(e))
                continue
            self.numbers.setdefault(stream, []).append(number)

    def missing(self, stream: str, count: int) -> list[int]:
        got = set(self.numbers.get(stream, []))
        return [i for i in range(1, count + 1) if i not in got]

    def duplicates(self, stream: str) -> int:
        return sum(c - 1 for c in Counter(self.numbers.get(stream, [])).values())

    def summary(self, expected: dict[str, int]) -> str:
        parts = []
        for stream, count in sorted(expected.items()):
            miss = self.missing(stream, count)
            parts.append(f"{stream}: {len(set(self.numbers.get(stream, [])))}/{count} whole, "
                         f"{len(miss)} missing{f' {miss[:10]}' if miss else ''}, {self.duplicates(stream)} duplicates")
        parts.append(f"{len(self.bad)} lines not whole" + (f" {self.bad[:5]}" if self.bad else ""))
        return "; ".join(parts)
