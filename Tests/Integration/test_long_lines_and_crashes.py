"""Issue 8: long lines survive crashes whole; a corrupt stream is resynchronised, not thrown away; the
plugin's pipes stay at the kernel's default size.

Long lines: Docker cuts a line longer than 16 KiB into pieces, each its own frame and its own write
into the FIFO. Today the reader consumes pieces from the FIFO as soon as they are decoded, before
the line they belong to is complete and spooled: a plugin killed in the middle of a long line has
lost its head, and the restarted plugin sends the tail on its own as if it were a whole line. Here
several streams trickle lines of 17 KiB to 300 KiB (one frame per write, so lines are always half in
the pipe) while the plugin is killed twice; each line checks itself (`harness.lines.long_line`:
stream, number, length and a pattern of its own), so a lost head, a lone tail or a splice is caught.

Corrupt frames: Docker never writes one, but a plugin restarted in the middle of a frame, or a bug,
can leave the reader looking at bytes that are not a frame start. Today the rest of the stream is
read and thrown away; after the fix the reader skips to the next valid frame, says so (container,
bytes skipped) and carries on.

Pipe sizes: the plugin used to enlarge every FIFO and its own tee pipes to 1 MiB, which with many
containers runs into the per-user pipe budget (fs.pipe-user-pages-soft); after the fix none of the
pipes it holds is above 64 KiB.
"""

from __future__ import annotations

import random
import re
import struct

import pytest

from harness import frames
from harness.fifo_writer import FifoWriter
from harness.lines import LongLineReport, long_line, numbered, numbers_of, wait_numbers
from harness.procfs import pipe_sizes
from harness.waiting import wait_until, wait_while_progressing

RAW = {"tcp-format": "raw"}
KiB = 1024


# -- 5. long lines through two kill -9s --------------------------------------------------------------------
def test_long_lines_arrive_whole_through_two_crashes(metered, stream_on, receivers):
    """Four streams, 120 lines each of 17 KiB to 300 KiB, written one 16 KiB piece at a time; the
    plugin is killed (SIGKILL) at a third and at two thirds of the way and restarted each time.
    Every line that arrives is whole and correct, none is missing; duplicates (the lines in flight
    at a crash) are allowed and counted."""
    n_streams, per_stream = 4, 120
    p, m = metered()
    rx = receivers().start()
    rnd = random.Random(8)
    lengths = {f"s{k}": [rnd.randint(17 * KiB, 300 * KiB) for _ in range(per_stream)] for k in range(n_streams)}
    streams = {name: stream_on(p, {"tcp-address": rx.address, **RAW, "max-line-size": "512k"})
               for name in lengths}
    writers = []
    for name, lens in lengths.items():
        pieces = [f for i, length in enumerate(lens, 1) for f in frames.line_frame_list(long_line(name, i, length))]
        writers.append(FifoWriter(streams[name].fd, pieces, interval=0.004, stall_timeout=60, name=f"writer-{name}"))
    for w in writers:
        w.start()
    total = [len(w.chunks) for w in writers]
    kills = []
    for fraction in (1 / 3, 2 / 3):
        # On a loaded machine the streams drift apart (a writer waits while the plugin reads its pipe
        # late), so a writer far ahead may finish first; the kill still lands in lines in progress as
        # long as one writer is writing.
        wait_until(lambda: all(w.chunks_done >= fraction * t for w, t in zip(writers, total))
                   or any(w.chunks_done >= 0.95 * t for w, t in zip(writers, total)), 60,
                   f"every writer {fraction:.0%} through", describe=lambda: str([w.chunks_done for w in writers]))
        assert not all(w.done for w in writers), "every writer finished before the kill: slow them down"
        kills.append((rx.count(), [w.chunks_done for w in writers]))
        p.kill()
        p.restart()
    for w in writers:
        w.join(120)
    for s in streams.values():
        s.finish()
    # Every line by its head (`L:stream:number:`), not a count: duplicates after the kills would make
    # a count complete while a stream's last line is still on its way.
    every_line = {(name.encode(), str(i).encode()) for name in lengths for i in range(1, per_stream + 1)}

    def heads() -> set[tuple[bytes, bytes]]:
        return {tuple(line.split(b":", 3)[1:3]) for line in rx.lines() if line.startswith(b"L:")}

    expected_lines = n_streams * per_stream
    wait_while_progressing(lambda: rx.count() >= expected_lines and every_line <= heads(), rx.count, timeout=60,
                           stall=10)
    rx.stop_draining()
    r = LongLineReport(rx.lines())
    expected = {name: per_stream for name in lengths}
    print(f"\n[long lines, 2 x kill -9] kills at (lines received, pieces written per stream): {kills}; "
          f"{r.summary(expected)}; cut lines at connection ends: {len(rx.fragments())}")
    assert not r.bad, f"{len(r.bad)} lines arrived cut or spliced: {r.bad[:5]}"
    missing = {name: r.missing(name, n) for name, n in expected.items() if r.missing(name, n)}
    assert not missing, f"lines missing: {missing}"


# -- 6. a corrupt frame is skipped, the stream goes on -----------------------------------------------------
GARBAGE = {
    # A length prefix far above any frame, then nonsense: no 4-byte window in it is a plausible length.
    "oversized-length": b"\xff" * 37,
    # A plausible length (100) whose body does not decode as a LogEntry (0xff bytes: a broken varint tag).
    "undecodable-body": struct.pack(">I", 100) + b"\xff" * 100,
}


@pytest.mark.parametrize("kind", list(GARBAGE))
def test_corrupt_frame_is_skipped_and_the_stream_goes_on(metered, stream_on, receivers, kind):
    """Valid frames, then garbage bytes, then more valid frames (more than 64 KiB of them, so a reader
    that tries a wrong length has the bytes to find out): the lines after the garbage arrive, the
    plugin log has an error naming the container and how many bytes were skipped, and the stream
    stays open (later lines arrive too, the stream is still counted active). Today everything after
    the garbage is read and discarded."""
    garbage = GARBAGE[kind]
    p, m = metered()
    rx = receivers().start()
    s = stream_on(p, {"tcp-address": rx.address, **RAW})
    before = [numbered("C", i, 80) for i in range(1, 101)]
    after = [numbered("C", i, 80) for i in range(101, 2101)]  # ~200 KB of frames
    s.write(b"".join(frames.line_frames(l) for l in before))
    rx.wait_for_lines(100)
    s.write(garbage + b"".join(frames.line_frames(l) for l in after))
    arrived = wait_numbers(rx.lines, {"C": (1, 2100)}, width=80, timeout=20, stall=5, count=rx.count, check=False)
    still_open = m.value("logship_streams_active") == 1
    s.log(numbered("C", 2101, 80))
    later = wait_numbers(rx.lines, {"C": (1, 2101)}, width=80, timeout=10, stall=5, count=rx.count, check=False)
    short_id = s.container_id[:12]
    log = p.stderr_text()
    reports = [l for l in log.splitlines() if short_id in l and ("error" in l or "warn" in l)]
    got = numbers_of(rx.lines(), "C", 80)
    print(f"\n[corrupt frame, {kind}: {len(garbage)} bytes] {len(set(got))} of 2101 lines arrived (after the garbage: "
          f"{len({i for i in got if i > 100})}); stream active afterwards: {still_open}; log: {reports[:3]}")
    assert arrived, f"the lines after the garbage did not arrive: {len({i for i in got if i > 100})} of 2000"
    assert still_open and later, "the stream did not stay open after the garbage"
    skipped = [l for l in reports if re.search(rf"\b{len(garbage)}\b", l)]
    assert skipped, f"no log line names container {short_id} and the {len(garbage)} bytes skipped: {reports}"


# -- 6b. no enlarged pipes --------------------------------------------------------------------------------
def test_plugin_holds_no_pipe_above_64_kib(metered, stream_on, receivers):
    """With 20 streams open and flowing, every pipe and FIFO the plugin holds (its /proc/PID/fd
    entries, each asked F_GETPIPE_SZ) is at most 64 KiB. Today the FIFOs and the plugin's own tee
    pipes are 1 MiB each."""
    p, m = metered()
    rx = receivers().start()
    streams = [stream_on(p, {"tcp-address": rx.address, **RAW}) for _ in range(20)]
    for k, s in enumerate(streams):
        s.log_lines([numbered(f"P{k:02d}-", i, 100) for i in range(1, 2001)])
    rx.wait_for_lines(20 * 2000)
    sizes = pipe_sizes(p.pid)
    for s in streams:
        s.finish()
    big = {fd: (target, size) for fd, (target, size) in sizes.items() if size > 64 * KiB}
    hist: dict[int, int] = {}
    for _, size in sizes.values():
        hist[size] = hist.get(size, 0) + 1
    print(f"\n[pipe sizes] {len(sizes)} pipes and FIFOs held by the plugin; sizes (bytes: count): {hist}")
    assert len(sizes) >= 20, f"expected at least the 20 FIFOs among the plugin's descriptors, found {len(sizes)}"
    assert not big, f"{len(big)} pipes above 64 KiB: {sorted(big.items())[:5]}"
