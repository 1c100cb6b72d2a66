"""Issue 8: a full disk under the spool bounds memory, counts every drop, and is used again once freed.

The spool (STATE_DIR) is on a 3 MiB tmpfs, far below SPOOL_SIZE (1 GiB by default), so appends fail
with ENOSPC long before the spool thinks it is full. With the receiver down, 100 MB of lines go to
one destination, then a second stream adds 10,000 more. What must hold:

- no write into a FIFO blocks, and the plugin stays up;
- memory stays bounded: RSS below its RSS at start + QUEUE_SIZE (4 MiB) + 16 MiB of slack (today
  the lines the spool could not take pile up in memory: ~117 MB);
- every line is either delivered once the receiver is up or counted in
  logship_destination_dropped_messages_total: received (unique) + dropped == written, exactly, and
  no line arrives twice; pending reaches 0 and /health is 200;
- once there is room again (the tmpfs is grown in place), new lines are spooled again (today the
  spool is given up for good after the first failed append).
"""

from __future__ import annotations

import pytest

from harness.fifo_writer import STALL_LIMIT, FifoWriter
from harness.lines import numbered_chunks, numbers_of, wait_numbers
from harness.metrics import destination_totals
from harness.procfs import RssSampler, rss_bytes
from harness.tmpfs import mounted_tmpfs
from harness.waiting import wait_until

RAW = {"tcp-format": "raw"}
MiB = 1 << 20


@pytest.fixture
def small_disk(short_tmp):
    """A 3 MiB tmpfs for STATE_DIR, unmounted at the end even if the test failed."""
    with mounted_tmpfs(short_tmp / "state", "3m") as fs:
        yield fs


def test_full_spool_disk_bounds_memory_counts_drops_and_recovers(metered, stream_on, receivers, small_disk):
    """STATE_DIR on a 3 MiB tmpfs, QUEUE_SIZE=4m, receiver down: 1,000,000 lines of 100 bytes on one
    stream, then 10,000 on a second to the same destination. No write blocks, RSS stays bounded,
    every line is delivered or counted as dropped (exactly), none twice; with the disk grown, the
    still-open destination spools again and its new lines arrive."""
    n1, n2, n3, width = 1_000_000, 10_000, 10_000, 100
    p, m = metered(STATE_DIR=str(small_disk.path), QUEUE_SIZE="4m")
    rss_start = rss_bytes(p.pid)
    limit = rss_start + 4 * MiB + 16 * MiB
    rx = receivers()  # down
    first = stream_on(p, {"tcp-address": rx.address, **RAW})
    second = stream_on(p, {"tcp-address": rx.address, **RAW})
    problems = []

    def taken() -> int:
        return int(m.value("logship_destination_received_messages_total", destination=rx.address))

    with RssSampler(p.pid) as rss:
        w1 = FifoWriter(first.fd, numbered_chunks("F", 1, n1, 1000, width), stall_timeout=30, name="writer-F").start()
        w1.join(300)
        wait_until(lambda: taken() >= n1, 60, "the first stream's lines taken in")
        w2 = FifoWriter(second.fd, numbered_chunks("S", 1, n2, 1000, width), stall_timeout=30, name="writer-S").start()
        w2.join(60)
        wait_until(lambda: taken() >= n1 + n2, 30, "the second stream's lines taken in")
        full = destination_totals(m.metrics(), rx.address)
        peak = rss.peak
    first.finish()
    longest = max(w1.longest, w2.longest)
    print(f"\n[disk full] RSS at start {rss_start / MiB:.1f} MiB, peak {peak / MiB:.1f} MiB (limit {limit / MiB:.1f}); "
          f"longest write {longest:.2f}s; free on the tmpfs {small_disk.free_bytes()} bytes; "
          f"metrics with the receiver down: {full}")
    assert p.alive(), "the plugin died"
    if longest >= STALL_LIMIT:
        problems.append(f"a write into a FIFO blocked for {longest:.2f}s")
    if peak >= limit:
        problems.append(f"RSS reached {peak / MiB:.1f} MiB: more than start + QUEUE_SIZE + 16 MiB ({limit / MiB:.1f})")

    rx.start()
    final = wait_until(lambda: (st := destination_totals(m.metrics(), rx.address)) and st["pending_messages"] == 0
                       and st, 120, "every pending line delivered",
                       describe=lambda: str(destination_totals(m.metrics(), rx.address)))
    wait_until(lambda: rx.count() >= final["sent_messages_total"], 30, "the receiver to have what was sent")
    lines = rx.lines()
    f_nums, s_nums = numbers_of(lines, "F", width), numbers_of(lines, "S", width)
    unique = len(set(f_nums)) + len(set(s_nums))
    twice = len(f_nums) + len(s_nums) - unique
    dropped = final["dropped_messages_total"]
    health = m.health()[0]
    print(f"[disk full] delivered {unique} unique lines ({twice} twice), dropped {dropped}, written {n1 + n2}, "
          f"unaccounted {n1 + n2 - unique - dropped}; after delivery {final}; /health {health}")
    if twice:
        problems.append(f"{twice} lines arrived twice")
    if unique + dropped != n1 + n2:
        problems.append(f"delivered {unique} + dropped {dropped} != written {n1 + n2}")
    if health != 200:
        problems.append(f"/health {health} with nothing pending")

    # Room again, the destination still in use (the second stream is open): the spool is used again.
    small_disk.resize("64m")
    w3 = FifoWriter(second.fd, numbered_chunks("T", 1, n3, 1000, width), name="writer-T").start()
    w3.join(60)
    wait_until(lambda: taken() >= n1 + n2 + n3, 30, "the lines written after the disk was grown taken in")
    after = destination_totals(m.metrics(), rx.address)
    second.finish()
    ok = wait_numbers(rx.lines, {"T": (1, n3)}, width=width, timeout=30, count=rx.count, check=False)
    rx.stop_draining()
    print(f"[disk full] after the disk was grown: spooled {final['spooled_messages_total']} -> "
          f"{after['spooled_messages_total']} for {n3} more lines; all of them arrived: {ok}")
    if after["spooled_messages_total"] < final["spooled_messages_total"] + n3:
        problems.append("the spool was not used again once the disk had room")
    if not ok:
        problems.append("lines written after the disk was grown did not all arrive")
    assert not problems, "; ".join(problems)
