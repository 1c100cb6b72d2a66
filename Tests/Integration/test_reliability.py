"""Never block a container, never lose a line (issue 3), with the binary played as the daemon.

What each transport can promise, and so what these tests check:
- TCP (and unix stream) with a receiver that shuts down cleanly (stops listening, reads what was in
  flight, then closes: `StreamReceiver.stop_draining`): nothing is lost, order is kept. A receiver
  that dies with data in its kernel buffers loses it and no plain-TCP sender can notice (that is
  what RELP's acknowledgements are for), so no test here kills a receiver.
- A plugin killed with SIGKILL loses nothing either: every batch is in the spool before its bytes
  leave the FIFO. It may send a few lines twice (at least once): the batch it was writing when it
  died, and the lines of the FIFO read it had spooled but not yet consumed. So after a kill the
  receiver may see at most two replayed windows: runs that restart below the highest line seen and
  count up again without a hole. The tests print how many.
- Without a crash, delivery is exactly once and in order.

Lines are numbered; `harness.sequence.analyze` finds losses, reorderings and replayed windows.
The FIFO writer (`harness.fifo_writer.FifoWriter`) plays the daemon's copier from a thread and times
each chunk, which is how "the container never blocks" is measured.
"""

from __future__ import annotations

import os
import re
import socket
import struct
import time

import pytest

from harness import frames
from harness.fifo_writer import STALL_LIMIT, FifoWriter
from harness.hostsfile import temporary_host
from harness.metrics import destination_totals
from harness.receivers import DatagramReceiver, StreamReceiver, free_port
from harness import sequence
from harness.sequence import SequenceReport, analyze
from harness.waiting import wait_until

RAW = {"tcp-format": "raw"}


# -- numbered lines ---------------------------------------------------------------------------------
def line(i: int, width: int) -> bytes:
    """Line i: 7 digits, a space, padding up to `width` bytes."""
    head = b"%07d " % i
    return head + b"x" * max(0, width - len(head))


def chunks(first: int, last: int, per_chunk: int, width: int) -> list[bytes]:
    """Frames for lines first..last, grouped into writes of `per_chunk` lines."""
    return [b"".join(frames.line_frames(line(i, width)) for i in range(a, min(a + per_chunk, last + 1)))
            for a in range(first, last + 1, per_chunk)]


def values(lines: list[bytes], width: int) -> list[int]:
    """The numbers of received lines; a line that is not exactly what was sent fails the test."""
    out = []
    for got in lines:
        try:
            i = int(got[:7])
        except ValueError:
            raise AssertionError(f"unexpected line {got[:80]!r}") from None
        assert got == line(i, width), f"line {i} corrupted: {got[:80]!r}"
        out.append(i)
    return out


def report(rx_lines: list[bytes], first: int, last: int, width: int) -> SequenceReport:
    return analyze(values(rx_lines, width), first, last)


def wait_complete(rx: StreamReceiver | list[StreamReceiver], first: int, last: int, width: int,
                  timeout: float, stall: float = 8.0) -> None:
    """Wait until every line first..last has arrived (at any of the receivers); give up after `stall`
    seconds without progress (longer than the 5 s +20 % reconnect backoff)."""
    rxs = rx if isinstance(rx, list) else [rx]
    sequence.wait_complete(rxs, first, last, lambda lines: values(lines, width), timeout, stall)


def drop_reports(text: str) -> list[str]:
    return [l for l in text.splitlines() if "dropped the oldest messages" in l]


# -- 1. kill -9 ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("receiver", ["fast", "slow", "down"],
                         ids=["fast-receiver", "slow-receiver", "receiver-down-until-restart"])
def test_kill_9_mid_stream_then_reattach_loses_nothing(metered, stream_on, receivers, receiver):
    """SIGKILL while lines flow, Docker-style restart (same socket and state directory, no new
    StartLogging): the plugin re-attaches the recorded FIFO, delivers the spool, and every line
    written before, during and after the outage arrives in order. With the slow receiver (2 MB/s)
    the spool holds a backlog when the plugin dies; with the receiver down until after the restart
    everything read before the kill is only in the spool, and the restarted plugin appends to it."""
    n, width = 100_000, 100
    p, m = metered()
    rx = receivers(rate=2_000_000 if receiver == "slow" else None)
    if receiver != "down":
        rx.start()
    s = stream_on(p, {"tcp-address": rx.address, **RAW})
    writer = FifoWriter(s.fd, chunks(1, n, 1000, width), interval=0.025).start()  # 40,000 lines/s

    def taken():
        return m.value("logship_destination_received_messages_total", destination=rx.address)

    if receiver == "down":
        wait_until(lambda: taken() >= 20_000, 30, "20,000 lines spooled before the kill")
    else:
        wait_until(lambda: rx.count() >= 20_000, 30, "20,000 lines before the kill", describe=lambda: str(rx.count()))
    assert not writer.done, "the writer finished before the kill: the test would not be mid-stream"
    at_kill = rx.count()
    spooled_at_kill = taken()
    p.kill()
    # While the plugin is dead the daemon's writes fill the pipe and block: wait until they do, so the
    # restarted plugin really has a full pipe to re-attach to.
    wait_until(lambda: writer.idle_for() > 0.3 or writer.done, 30, "the writer to block on the full pipe")
    blocked_at = writer.written
    p.restart()
    if receiver == "down":
        rx.start()
    writer.join(60)
    s.finish()
    wait_complete(rx, 1, n, width, timeout=60)
    assert m.value("logship_streams_reattached_total") == 1
    rx.stop_draining()
    r = report(rx.lines(), 1, n, width)
    print(f"\n[kill -9, {receiver} receiver] at the kill: {at_kill} lines delivered, {spooled_at_kill} taken from "
          f"the FIFO; the writer blocked after {blocked_at} bytes; {r.summary()}; "
          f"cut lines at connection ends: {len(rx.fragments())}; longest write {writer.longest:.2f}s")
    r.assert_complete(max_windows=2)


def test_reattach_skips_streams_whose_container_went_away(metered, stream_on, receivers):
    """While the plugin is dead one container is removed (FIFO closed and unlinked) and another
    stops (FIFO closed, file still there): at restart the first record is dropped, the second FIFO
    ends at once (no writer), the third, still open, is re-attached and keeps being delivered; no
    stream record is left behind."""
    p, m = metered()
    rx = receivers().start()
    gone, ended, alive = (stream_on(p, {"tcp-address": rx.address, **RAW}) for _ in range(3))
    for name, st in (("gone", gone), ("ended", ended), ("alive", alive)):
        st.log(f"{name} before")
    rx.wait_for_lines(3)
    p.kill()
    gone.close()  # closes and unlinks
    os.close(ended.fd)  # closes, keeps the file
    ended.fd = None
    p.restart()
    alive.log("alive after")
    rx.wait_for_lines(4)
    wait_until(lambda: m.value("logship_streams_active") == 1, 5, "one stream left")
    fams = m.metrics()
    assert (fams["logship_streams_reattached_total"].value(), fams["logship_streams_ended_total"].value()) == (2, 1)
    alive.finish()
    ended.close()
    wait_until(lambda: m.value("logship_streams_active") == 0, 5, "no stream left")
    assert sorted(rx.lines()) == [b"alive after", b"alive before", b"ended before", b"gone before"]
    assert os.listdir(p.state_dir / "streams") == []
    assert "is gone; not re-attaching" in p.stderr_text()


# -- 2. SIGTERM with the receiver down --------------------------------------------------------------
def test_spool_survives_sigterm_and_restart_while_receiver_is_down(metered, stream_on, receivers):
    """`docker plugin disable` (SIGTERM) with the receiver down and the container still writing:
    the plugin exits within Docker's 10 s, keeping what it could not deliver in the spool; the
    restarted plugin re-attaches the FIFO, and when the receiver comes up every line arrives."""
    n, width = 60_000, 80
    p, m = metered()
    rx = receivers()  # not listening
    s = stream_on(p, {"tcp-address": rx.address, **RAW})
    writer = FifoWriter(s.fd, chunks(1, n, 500, width), interval=0.1).start()  # 5,000 lines/s for 12 s

    wait_until(lambda: m.value("logship_destination_received_messages_total", destination=rx.address) >= 5000,
               20, "5,000 lines spooled")
    began = time.monotonic()
    status = p.terminate(timeout=15)
    shutdown = time.monotonic() - began
    log = p.stderr_text()
    assert status == 0, f"exit status {status}"
    assert shutdown < 9.5, f"SIGTERM took {shutdown:.1f}s: Docker would have killed the plugin"
    assert "shutting down with 1 log streams open" in log

    wait_until(lambda: writer.idle_for() > 0.3 or writer.done, 30, "the writer to block on the full pipe")
    p.restart()
    writer.join(60)
    s.finish()
    rx.start()
    wait_complete(rx, 1, n, width, timeout=60)
    rx.stop_draining()
    r = report(rx.lines(), 1, n, width)
    print(f"\n[SIGTERM] shutdown took {shutdown:.2f}s; {r.summary()}; longest write {writer.longest:.2f}s")
    r.assert_complete(max_windows=1)


@pytest.mark.parametrize("case", ["receiver-up-idle", "receiver-down", "slow-receiver-with-backlog"])
def test_sigterm_exits_within_the_grace_period(metered, stream_on, receivers, case):
    """SIGTERM (plugin disable, upgrade) stops taking requests, delivers for at most ~7 s and exits,
    leaving the rest in the spool, well inside Docker's 10 s before SIGKILL: at once when there is
    nothing to deliver; after the 7 s grace when the receiver is down (retrying with backoff) or too
    slow for the backlog while a container keeps writing."""
    p, m = metered()
    rx = receivers(rate=1_000_000 if case == "slow-receiver-with-backlog" else None)
    if case != "receiver-down":
        rx.start()
    s = stream_on(p, {"tcp-address": rx.address, **RAW})
    s.log_lines([line(i, 100) for i in range(1, 1001)])
    writer = None
    if case == "slow-receiver-with-backlog":  # 6 MB/s of lines into a 1 MB/s receiver
        writer = FifoWriter(s.fd, chunks(1001, 400_000, 300, 100), interval=0.005).start()
    wait_until(lambda: m.value("logship_destination_received_messages_total", destination=rx.address) >= 1000, 10,
               "the first lines to be taken")
    if case != "receiver-up-idle":
        time.sleep(2)  # the outage or the backlog itself (not a wait for a result): backoff grows, spool fills
    p.stopped = True  # exiting is what this test asks of it
    began = time.monotonic()
    status = p.terminate(timeout=15)
    took = time.monotonic() - began
    if writer:
        writer.abort()
    pending = "; ".join(l for l in p.stderr_text().splitlines() if "not delivered before shutdown" in l)
    print(f"\n[SIGTERM, {case}] exited with {status} after {took:.2f}s; {pending or 'nothing left undelivered'}")
    assert status == 0
    limit = 1.0 if case == "receiver-up-idle" else 8.5
    assert took < limit, f"SIGTERM took {took:.2f}s ({case}); the grace period is 7 s (Docker kills at 10 s)"


def test_sigterm_reports_what_it_leaves_in_the_spool(metered, stream_on, receivers):
    """An operator who disables the plugin while a receiver is down is told how many messages wait
    in the spool for the next start (PluginServer.shutdown logs "N messages not delivered before
    shutdown: kept in the spool for the next start")."""
    p, m = metered()
    rx = receivers()  # down
    s = stream_on(p, {"tcp-address": rx.address, **RAW})
    s.log_lines([line(i, 60) for i in range(1, 1001)])
    s.finish()
    wait_until(lambda: m.value("logship_destination_received_messages_total", destination=rx.address) == 1000, 10,
               "every line queued")
    p.stopped = True
    assert p.terminate(timeout=15) == 0
    log = p.stderr_text()
    reported = [l for l in log.splitlines() if "not delivered before shutdown" in l]
    print(f"\n[SIGTERM report] {reported or 'no report'}")
    assert any("1000 messages not delivered before shutdown: kept in the spool" in l for l in reported), log[-1500:]


def test_corrupt_spool_record_is_reported(metered, stream_on, receivers):
    """A spool segment whose second record header is damaged while the plugin is stopped (a disk
    fault, not a torn tail: two whole records follow it). What the restarted plugin delivers is the
    first record; the plugin log must say that the rest of the segment was unreadable and cut."""
    p, m = metered()
    rx = receivers()  # down
    s = stream_on(p, {"tcp-address": rx.address, **RAW})
    # Three reads, three records: each write (1,000 frames of about 30 bytes) fits the FIFO's
    # 64 KiB, so one read takes it whole.
    for a in range(1, 3_001, 1_000):
        s.log_lines([b"%07d" % i for i in range(a, a + 1_000)])
        wait_until(lambda: m.value("logship_destination_received_messages_total", destination=rx.address) >= a + 999,
                   10, "the batch to be spooled")
    s.finish()
    p.stopped = True
    assert p.terminate(timeout=15) == 0
    [segment] = list((p.state_dir / "spool").glob("*/lane-*/*.seg"))  # the container's lane
    data = bytearray(segment.read_bytes())
    offsets, off = [], 0
    while off + 16 <= len(data):
        magic, payload, count, _ = struct.unpack_from("<IIII", data, off)
        assert magic == 0x3252534C, f"not a record (LSR2) at {off}"
        offsets.append(off)
        off += 16 + 4 * count + payload
    assert len(offsets) == 3, offsets
    data[offsets[1]] ^= 0xFF  # the second record's magic
    with open(segment, "r+b") as f:
        f.write(data)
    before = len(p.stderr_text())
    p.stopped = False
    p.restart()
    rx.start()
    wait_until(lambda: rx.count() >= 1_000, 15, "the first record's lines")
    log = p.stderr_text()[before:]
    print(f"\n[corrupt spool] delivered {rx.count()} of 3000; plugin log after restart:\n{log}")
    assert rx.lines()[:1_000] == [b"%07d" % i for i in range(1, 1_001)]
    assert segment.name in log and ("warn" in log or "error" in log), \
        "2,000 spooled messages were cut from the segment without a word in the plugin log"


# -- 3. a long outage --------------------------------------------------------------------------------
def test_receiver_down_for_a_while_never_blocks_the_writer(metered, stream_on, receivers):
    """50,000 lines while the receiver is down: no write into the FIFO waits (the plugin reads at
    memory speed into the spool), /health says degraded, and once the receiver is up everything
    arrives exactly once, in order, within the reconnect backoff's cap (5 s +20 %)."""
    n, width = 50_000, 120
    p, m = metered()
    rx = receivers()
    s = stream_on(p, {"tcp-address": rx.address, **RAW})
    writer = FifoWriter(s.fd, chunks(1, n, 100, width), interval=0.006).start()  # ~3 s
    writer.join(60)
    wait_until(lambda: m.value("logship_destination_received_messages_total", destination=rx.address) == n, 10,
               "every line taken from the FIFO")
    status, health = m.health()
    assert status == 503 and health["status"] == "degraded", health
    stats = destination_totals(m.metrics(), rx.address)
    assert (stats["sent_messages_total"], stats["pending_messages"], stats["dropped_messages_total"]) == (0, n, 0), stats
    time.sleep(3)  # the outage itself (not a wait for a result): the reconnect backoff grows to its cap
    up = time.monotonic()
    rx.start()
    wait_until(lambda: rx.count() > 0, 10, "the first line after the receiver came back")
    reconnect = time.monotonic() - up
    s.finish()
    wait_complete(rx, 1, n, width, timeout=30)
    rx.stop_draining()
    assert rx.lines() == [line(i, width) for i in range(1, n + 1)]
    print(f"\n[outage] {n} lines, longest write {writer.longest * 1000:.0f} ms, "
          f"writes took {writer.ended - writer.began:.2f}s, first line {reconnect:.2f}s after the receiver came up")
    assert writer.longest < STALL_LIMIT, f"a write blocked for {writer.longest:.2f}s"
    assert reconnect < 6.5, f"reconnected {reconnect:.1f}s after the receiver came back (backoff cap is 5 s)"
    wait_until(lambda: m.health()[0] == 200, 5, "/health back to ok")


# -- 4. spool full, drop-oldest -----------------------------------------------------------------------
def test_full_spool_drops_oldest_counts_and_never_blocks(metered, stream_on, receivers):
    """SPOOL_SIZE=1m, QUEUE_SIZE=64k, receiver down, ~7 MB of lines: writes never wait, the oldest
    are dropped and counted (received = sent + dropped + pending), one log line per 10 s at most,
    and what is delivered afterwards is the newest lines, in order, with exactly `dropped` missing."""
    n, width = 60_000, 100
    p, m = metered(SPOOL_SIZE="1m", QUEUE_SIZE="64k")
    rx = receivers()
    s = stream_on(p, {"tcp-address": rx.address, **RAW})
    began = time.monotonic()
    writer = FifoWriter(s.fd, chunks(1, n, 200, width)).start()
    writer.join(60)
    s.finish()
    wait_until(lambda: m.value("logship_streams_active") == 0, 10, "the stream to end")
    drop_phase = time.monotonic() - began
    stats = destination_totals(m.metrics(), rx.address)
    print(f"\n[spool full] writes took {writer.ended - writer.began:.2f}s, longest {writer.longest * 1000:.0f} ms; "
          f"metrics before delivery: {stats}")
    assert writer.longest < STALL_LIMIT, f"a write blocked for {writer.longest:.2f}s"
    assert stats["received_messages_total"] == n
    assert stats["dropped_messages_total"] > 0
    assert stats["received_messages_total"] == (stats["sent_messages_total"] + stats["dropped_messages_total"]
                                                + stats["pending_messages"]), stats
    assert stats["spool_bytes"] <= (1 << 20) + 256 * 1024, stats
    reports = drop_reports(p.stderr_text())
    assert 1 <= len(reports) <= 1 + int(drop_phase // 10), f"{len(reports)} drop reports in {drop_phase:.1f}s: {reports}"

    rx.start()
    # One scrape for all the numbers (a destination with no stream is retired about a second after it
    # has delivered everything; its final counters stay in /metrics for five minutes).
    final = wait_until(lambda: (st := destination_totals(m.metrics(), rx.address)) and st["pending_messages"] == 0
                       and st, 30, "the spool to be delivered")
    rx.stop_draining()
    got = values(rx.lines(), width)
    r = analyze(got, 1, n)
    print(f"[spool full] after delivery: {final}; {r.summary()}")
    assert final["received_messages_total"] == final["sent_messages_total"] + final["dropped_messages_total"], final
    assert len(got) == final["sent_messages_total"], "the receiver got a different number of lines than were sent"
    assert got == sorted(set(got)), "delivered lines are out of order or duplicated"
    assert got[-1] == n, "the newest line was not kept"
    assert r.missing_count == final["dropped_messages_total"], "lines missing that were not counted as dropped"


# -- 5. QUEUE_OVERFLOW=block -------------------------------------------------------------------------
def test_block_policy_stalls_the_writer_and_loses_nothing(metered, stream_on, receivers):
    """QUEUE_OVERFLOW=block with a 1 MiB spool and the receiver down: once the spool and the 64 KiB
    FIFO are full the writer blocks (the container stalls, as the operator chose), nothing is
    dropped, and when the receiver returns the writer resumes and every line arrives in order."""
    n, width = 40_000, 150  # ~6.5 MB of frames
    p, m = metered(SPOOL_SIZE="1m", QUEUE_SIZE="64k", QUEUE_OVERFLOW="block")
    rx = receivers()
    s = stream_on(p, {"tcp-address": rx.address, **RAW})
    cs = chunks(1, n, 200, width)
    total = sum(len(c) for c in cs)
    writer = FifoWriter(s.fd, cs).start()
    wait_until(lambda: writer.idle_for() > 1.0 or writer.done, 30, "the writer to block")
    blocked_at = writer.written
    stats = destination_totals(m.metrics(), rx.address)
    print(f"\n[block] writer blocked after {blocked_at} of {total} bytes; metrics: {stats}")
    assert not writer.done, "the writer was never blocked: QUEUE_OVERFLOW=block did not hold it back"
    # Spool (1 MiB of formatted lines) + FIFO (64 KiB of frames) + the batch being formed: 1-2 MB.
    assert 1_000_000 < blocked_at < 2_500_000, f"blocked after {blocked_at} bytes"
    assert stats["dropped_messages_total"] == 0
    rx.start()
    writer.join(60)
    wait_until(lambda: m.value("logship_destination_received_messages_total", destination=rx.address) == n, 10,
               "every line taken from the FIFO")
    assert m.value("logship_destination_dropped_messages_total", destination=rx.address) == 0
    s.finish()
    wait_complete(rx, 1, n, width, timeout=60)
    rx.stop_draining()
    assert rx.lines() == [line(i, width) for i in range(1, n + 1)]


# -- 6. fail-over and fail-back ------------------------------------------------------------------------
def test_fail_over_and_fail_back_lose_nothing(metered, stream_on, receivers):
    """tcp-address=A,B with FAILBACK_INTERVAL=1s: lines go to A; A shuts down (cleanly) and they go
    to B; A comes back and within about a second they go to A again. Each receiver's lines are in
    order, together they are every line exactly once."""
    n, width = 60_000, 60
    p, m = metered(FAILBACK_INTERVAL="1s")
    a, b = receivers().start(), receivers().start()
    dest = f"{a.address},{b.address}"
    s = stream_on(p, {"tcp-address": dest, **RAW})
    writer = FifoWriter(s.fd, chunks(1, n, 100, width), interval=0.01).start()  # 10,000 lines/s, 6 s

    wait_until(lambda: a.count() >= 5000, 20, "5,000 lines at A")
    endings = a.stop_draining()
    wait_until(lambda: b.count() >= 3000, 20, "3,000 lines at B after A went down")
    a.start()
    back = time.monotonic()
    wait_until(lambda: a.connection_count == 2 and len(a.connections()[1]) > 0, 10, "lines at A after it came back")
    failback = time.monotonic() - back
    assert not writer.done, "the writer finished before the fail-back: lengthen it"
    writer.join(60)
    s.finish()
    wait_complete([a, b], 1, n, width, timeout=30)
    a.stop_draining()
    b.stop_draining()
    got_a, got_b = values(a.lines(), width), values(b.lines(), width)
    r = analyze(sorted(got_a + got_b), 1, n)
    print(f"\n[fail-over] A: {len(got_a)} lines, B: {len(got_b)} lines; A's drained connection ended: {endings}; "
          f"fail-back {failback:.2f}s after A returned; {r.summary()}")
    assert got_a == sorted(got_a) and got_b == sorted(got_b), "per-address order broken"
    assert r.duplicates == 0 and not r.missing and not r.anomalies, r.summary()
    assert got_b and got_a[-1] == n, "the last lines did not go back to A"
    assert failback < 3, f"fail-back took {failback:.1f}s with FAILBACK_INTERVAL=1s"


# -- 7. DNS change -------------------------------------------------------------------------------------
UDP_LINE = re.compile(rb" (\d{7}) x*\n$")


@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_dns_change_is_followed_while_connected(metered, stream_on, receivers, transport):
    """A host name in /etc/hosts moves from 127.0.0.2 to 127.0.0.3 (rewritten in place) while the
    destination is connected and busy: with RESOLVE_INTERVAL=1s new lines reach the new address
    within a few seconds (UDP too, where no failure would ever prompt a new lookup), and nothing is
    lost or duplicated on the way (for UDP: on loopback, at 1,000 datagrams/s)."""
    n, width = 6000, 60
    if transport == "tcp":
        port = free_port(host="127.0.0.2")
        old = receivers(host="127.0.0.2", port=port).start()
        new = receivers(host="127.0.0.3", port=port).start()

        def got(r):
            return values(r.lines(), width)
    else:
        port = free_port(socket.SOCK_DGRAM, host="127.0.0.2")
        old = DatagramReceiver(host="127.0.0.2", port=port).start()
        new = DatagramReceiver(host="127.0.0.3", port=port).start()

        def got(r):
            out = []
            for d in r.datagrams():
                mt = UDP_LINE.search(d)
                assert mt, f"unexpected datagram {d[:120]!r}"
                out.append(int(mt.group(1)))
            return out

    def count(r):
        return len(got(r))

    p, m = metered(RESOLVE_INTERVAL="1s")
    try:
        with temporary_host("127.0.0.2") as host:
            option = {"tcp-address": f"tcp://{host.name}:{port}", **RAW} if transport == "tcp" else \
                {"syslog-address": f"udp://{host.name}:{port}"}
            s = stream_on(p, option)
            writer = FifoWriter(s.fd, chunks(1, n, 20, width), interval=0.02).start()  # 1,000 lines/s for 6 s
            wait_until(lambda: count(old) >= 200, 10, "lines at 127.0.0.2")
            host.point("127.0.0.3")
            moved = time.monotonic()
            wait_until(lambda: count(new) > 0, 10, "lines at 127.0.0.3 after the change",
                       describe=lambda: f"old {count(old)}, new {count(new)}; {p.stderr_text()[-600:]}")
            delay = time.monotonic() - moved
            assert not writer.done, "the writer finished before the change was followed: lengthen it"
            writer.join(30)
            s.finish()
            wait_until(lambda: count(old) + count(new) >= n, 20, f"{n} lines at the two addresses",
                       describe=lambda: analyze(sorted(got(old) + got(new)), 1, n).summary())
    finally:
        if transport == "tcp":
            old.stop_draining()
            new.stop_draining()
        else:
            old.stop()
            new.stop()
    got_old, got_new = got(old), got(new)
    r = analyze(got_old + got_new, 1, n)
    print(f"\n[dns, {transport}] followed the change after {delay:.2f}s; old address {len(got_old)} lines, "
          f"new {len(got_new)}; {r.summary()}")
    assert delay < 4, f"the new address got lines only {delay:.1f}s after the change (RESOLVE_INTERVAL=1s)"
    assert "now resolves to" in p.stderr_text()
    r.assert_complete(max_windows=0)
    assert max(got_old) < min(got_new), "lines went back to the old address after the change"


# -- 8. /metrics and /health ----------------------------------------------------------------------------
EXPECTED_FAMILIES = {
    "logship_destination_received_messages_total": "counter",
    "logship_destination_sent_messages_total": "counter",
    "logship_destination_dropped_messages_total": "counter",
    "logship_destination_spooled_messages_total": "counter",
    "logship_destination_pending_messages": "gauge",
    "logship_destination_queue_memory_bytes": "gauge",
    "logship_destination_spool_bytes": "gauge",
    "logship_destination_connects_total": "counter",
    "logship_destination_send_errors_total": "counter",
    "logship_destination_connected": "gauge",
    "logship_destination_streams": "gauge",
    "logship_streams_active": "gauge",
    "logship_streams_started_total": "counter",
    "logship_streams_reattached_total": "counter",
    "logship_streams_ended_total": "counter",
    "logship_decode_errors_total": "counter",
    "logship_reassembled_lines_total": "counter",
    "logship_container_received_messages_total": "counter",
    "logship_container_sent_messages_total": "counter",
    "logship_container_dropped_messages_total": "counter",
}


def test_metrics_and_health_content_and_format(metered, stream_on, receivers, short_tmp):
    """/metrics parses as strict Prometheus text (HELP and TYPE before every family's samples, label
    values escaped, no repeated series), has every documented family with the right type, and its
    numbers match what happened; /health is 200 "ok" or 503 "degraded" with the reason."""
    p, m = metered()
    status, headers, body = m.get("/metrics")
    assert status == 200 and headers["content-type"].startswith("text/plain; version=0.0.4"), headers
    fams = m.metrics()
    for name, kind in EXPECTED_FAMILIES.items():
        assert name in fams, f"{name} missing from /metrics"
        assert fams[name].type == kind and fams[name].help, fams[name]
        assert not (kind == "counter") ^ name.endswith("_total"), f"{name}: counters end in _total, gauges do not"
    assert fams["logship_streams_active"].value() == 0
    assert not fams["logship_destination_sent_messages_total"].samples, "destinations before any stream"
    # No routes file (CONFIG_DIR is the default /config/logship, which this host lacks): no routes, no error.
    no_routes = {"file": "/config/logship/routes.conf", "loaded": False, "generation": 1, "names": [], "error": None}
    assert m.health() == (200, {"status": "ok", "streams": 0, "destinations": [], "problems": [], "routes": no_routes,
                                "losing_lines": []})

    up = receivers().start()
    down_a, down_b = receivers(), receivers()  # a fail-over list, both down for now
    odd = str(short_tmp / 'q"b\\s.sock')  # a unix socket path with a quote and a backslash in it
    down_list = f"{down_a.address},{down_b.address}"
    s = stream_on(p, {"tcp-address": up.address, **RAW, "syslog-address": down_list})
    s2 = stream_on(p, {"syslog-address": f"unix://{odd}"})
    n = 1000
    s.log_lines([b"%07d" % i for i in range(1, n + 1)])
    s.log(b"y" * 40_000)  # three 16 KiB pieces, one reassembled line
    s2.log("to a socket that does not exist")
    up.wait_for_lines(n + 1)
    wait_until(lambda: m.value("logship_destination_received_messages_total", destination=down_list) == n + 1, 10,
               "the down destination to have every line queued")

    fams = m.metrics()
    ok, down = destination_totals(fams, up.address), destination_totals(fams, down_list)
    assert ok["received_messages_total"] == ok["sent_messages_total"] == ok["spooled_messages_total"] == n + 1, ok
    assert (ok["pending_messages"], ok["dropped_messages_total"], ok["connects_total"], ok["send_errors_total"],
            ok["streams"]) == (0, 0, 1, 0, 1), ok
    assert (down["sent_messages_total"], down["pending_messages"], down["connects_total"], down["streams"]) == \
        (0, n + 1, 0, 1), down
    assert down["spool_bytes"] > 0 and ok["queue_memory_bytes"] == 0, (ok, down)
    connected = fams["logship_destination_connected"]
    assert connected.value(destination=up.address) == 1
    assert connected.value(destination=up.address, address=up.address) == 1
    assert connected.value(destination=down_list) == 0 and connected.value(destination=down_list, address="") == 0
    assert connected.value(destination=f"unix://{odd}") == 0, "label with quote and backslash not escaped/parsed"
    assert (fams["logship_streams_active"].value(), fams["logship_streams_started_total"].value(),
            fams["logship_streams_ended_total"].value(), fams["logship_streams_reattached_total"].value()) == (2, 2, 0, 0)

    status, health = m.health()
    assert status == 503 and health["status"] == "degraded", health
    assert health["streams"] == 2
    assert any(down_list in problem and f"{n + 1} messages waiting" in problem for problem in health["problems"]), health
    by_dest = {d["destination"]: d for d in health["destinations"]}
    assert by_dest[up.address] == {"destination": up.address, "framing": "raw", "connected": True,
                                   "address": up.address, "pending": 0, "dropped": 0}, by_dest
    assert by_dest[down_list]["connected"] is False and by_dest[down_list]["address"] is None

    # The second address of the list comes up (fail-over), and so does the unix socket: health is ok again.
    down_b.start()
    receivers(path=odd).start()
    wait_until(lambda: m.health()[0] == 200 or None, 10, "/health to recover",
               describe=lambda: str(m.health()))
    assert m.metrics()["logship_destination_connected"].value(destination=down_list, address=down_b.address) == 1
    s2.finish()
    s.finish()
    wait_until(lambda: m.value("logship_streams_active") == 0, 10, "streams to end")
    down_b.wait_for_lines(n + 1, timeout=10)
    fams = m.metrics()
    assert fams["logship_streams_ended_total"].value() == 2
    assert fams["logship_reassembled_lines_total"].value() == 1
    assert fams["logship_decode_errors_total"].value() == 0
    # Destinations with no stream and nothing pending are retired: they disconnect, and their final
    # counters stay in /metrics for five minutes.
    wait_until(lambda: all(v == 0 for _, v in m.metrics()["logship_destination_connected"].samples), 10,
               "destinations to retire")
    assert m.metrics()["logship_destination_sent_messages_total"].value(destination=down_list) == n + 1
    assert m.get("/nope")[0] == 404
    assert m.get("/metrics", method="POST")[0] == 405


# -- 9. StopLogging, then a slow receiver ---------------------------------------------------------------
def test_stop_logging_drains_the_fifo_at_memory_speed(metered, stream_on, receivers):
    """A receiver that reads 1 MB/s and ~3.6 MB of lines: the writes finish and the stream reaches its
    end (the FIFO drained, the reader gone) long before the receiver has the data; the tail is
    delivered afterwards from the queue and spool. In Docker terms: `docker stop` is not held up and
    the daemon's 10 s give-up after exit never cuts anything."""
    n, width = 30_000, 120
    p, m = metered()
    rx = receivers(rate=1_000_000).start()
    s = stream_on(p, {"tcp-address": rx.address, **RAW})
    writer = FifoWriter(s.fd, chunks(1, n, 500, width)).start()
    writer.join(30)
    s.finish()  # StopLogging, close, unlink: what the daemon does when the container stops
    closed = time.monotonic()
    wait_until(lambda: m.value("logship_streams_active") == 0, 10, "the stream to reach EOF")
    ended = time.monotonic() - closed
    delivered_then = rx.count()
    wait_complete(rx, 1, n, width, timeout=60)
    tail = time.monotonic() - closed
    rx.stop_draining()
    print(f"\n[slow receiver] writes took {writer.ended - writer.began:.2f}s (longest {writer.longest * 1000:.0f} ms); "
          f"stream ended {ended:.2f}s after close with {delivered_then}/{n} lines delivered; "
          f"last line arrived {tail:.1f}s after close")
    assert writer.longest < STALL_LIMIT
    assert ended < 1.0, f"the stream took {ended:.1f}s to end after the FIFO closed"
    assert delivered_then < n // 2, "the receiver was not slow enough for this test to mean anything"
    assert rx.lines() == [line(i, width) for i in range(1, n + 1)]
