"""Never block a container, never lose a line (issue 3), on the real Docker engine.

Receivers are the harness' Python TCP receivers with `tcp-format=raw`, so every line a container
prints arrives as itself and can be counted. What each test can promise depends on the transport:
- Plain TCP to a receiver that shuts down cleanly (`StreamReceiver.stop_draining`: stop listening,
  read what was in flight, close): nothing lost, order kept. rsyslog is not used for the outage
  tests: killed with SIGTERM it discards the batch it was processing, a loss no plain-TCP sender can
  detect (RELP exists for that).
- A plugin killed with SIGKILL (Docker restarts it, re-attaches nothing by itself: the plugin re-opens
  its recorded FIFOs): nothing lost, order kept, at most a couple of replayed windows (at least once).
- The daemon gives up on a stream 10 s after its container exits: the plugin must have drained the
  FIFO by then, whatever the receiver's speed.

Plugin settings that only these tests need (FAILBACK_INTERVAL, RESOLVE_INTERVAL, SPOOL_SIZE, ...) are
set with disable/set/enable and restored afterwards (`docker.plugin_settings`).
"""

from __future__ import annotations

import os
import re
import signal
import time

import pytest

from harness import docker as d
from harness.hostsfile import temporary_host
from harness.metrics import MetricsClient, destination_totals
from harness.receivers import StreamReceiver, free_port
from harness.sequence import analyze, wait_complete
from harness.waiting import wait_until, wait_until_stable

RAW = {"tcp-format": "raw"}


def numbers_and_other(lines: list[bytes]) -> tuple[list[int], list[bytes]]:
    nums, other = [], []
    for l in lines:
        head = l.split(b" ", 1)[0]
        (nums if head.isdigit() else other).append(int(head) if head.isdigit() else l)
    return nums, other


def paced_seq(chunk: int, pause_us: int, chunks: int | None = None, pad: str = "") -> list[str]:
    """A shell loop printing seq chunks of `chunk` lines with `pause_us` between them, for `chunks`
    chunks (forever when None; SIGTERM ends it between chunks). After each chunk it prints, on
    stderr, `chunk I START END` with /proc/uptime before and after the chunk: how long the
    container's writes took, measured inside the container."""
    body = f"seq $((i*{chunk}+1)) $((i*{chunk}+{chunk}))"
    if pad:
        body += f" | sed 's/$/ {pad}/'"
    cond = f"[ $i -lt {chunks} ]" if chunks is not None else ":"
    script = (f"trap 'exit 0' TERM; i=0; while {cond}; do read s _ < /proc/uptime; {body}; "
              f"read e _ < /proc/uptime; echo \"chunk $i $s $e\" >&2; i=$((i+1)); usleep {pause_us}; done")
    return ["sh", "-c", script]


def chunk_timings(other: list[bytes]) -> list[tuple[int, float, float]]:
    out = []
    for l in other:
        m = re.fullmatch(rb"chunk (\d+) ([\d.]+) ([\d.]+)", l)
        assert m, f"unexpected line {l[:100]!r}"
        out.append((int(m.group(1)), float(m.group(2)), float(m.group(3))))
    return sorted(out)


def wait_all_numbers(rxs: list[StreamReceiver], n: int, timeout: float, stall: float = 10.0) -> None:
    """Wait until 1..n have all arrived (at any of the receivers); give up after `stall` seconds
    without progress (longer than the reconnect backoff's 5 s cap)."""
    wait_complete(rxs, 1, n, lambda lines: numbers_and_other(lines)[0], timeout, stall, interval=0.5)


# -- A. a 30 s outage under 10,000 lines/s ------------------------------------------------------------
def test_receiver_outage_under_load_never_stalls_the_container(receivers):
    """A container prints 2,000 lines every 0.2 s; the receiver shuts down (cleanly) for 30 s, then
    comes back. Every line arrives, in order, exactly once; the container's own writes never stall
    (timed inside it, per chunk); `docker stop` takes under 2 s while the backlog is being delivered."""
    rx = receivers().start()
    with d.detached_container(paced_seq(2000, 190_000), {"tcp-address": rx.address, **RAW}) as (name, _):
        wait_until(lambda: rx.count() >= 20_000, 30, "20,000 lines before the outage")
        endings = rx.stop_draining()
        down = time.monotonic()
        time.sleep(30)  # the outage itself (not a wait for a result)
        at_restart = rx.count()
        rx.start()
        up = time.monotonic()
        wait_until(lambda: rx.count() > at_restart, 15, "the first line after the receiver came back")
        reconnect = time.monotonic() - up
        began = time.monotonic()
        d.docker("stop", name)
        stop = time.monotonic() - began
        assert d.wait_exited(name) == 0
        # How many chunks the container printed: its stderr, from Docker's own copy (`docker logs`).
        reported = [l for l in d.docker("logs", name).stderr.splitlines() if l.startswith("chunk ")]
        n = len(reported) * 2000
        wait_all_numbers([rx], n, timeout=60)
        wait_until(lambda: len(numbers_and_other(rx.lines())[1]) >= len(reported), 10, "every chunk report")
        timings = chunk_timings(numbers_and_other(rx.lines())[1])
        assert [t[0] for t in timings] == list(range(len(reported)))
    rx.stop_draining()
    nums, _ = numbers_and_other(rx.lines())
    r = analyze(nums, 1, n)
    durations = [e - s for _, s, e in timings]
    gaps = [b[1] - a[1] for a, b in zip(timings, timings[1:])]
    print(f"\n[outage 30 s] {n} lines in {len(timings)} chunks; receiver drained: {endings}; "
          f"reconnected {reconnect:.2f}s after it came back; docker stop {stop:.2f}s; "
          f"longest chunk write {max(durations):.2f}s, longest gap between chunk starts {max(gaps):.2f}s "
          f"(nominal 0.2 s); {r.summary()}")
    r.assert_complete(max_windows=0)
    assert time.monotonic() - down > 30
    assert max(durations) < 1.0, f"a chunk of 2,000 lines took {max(durations):.2f}s to write: the container stalled"
    assert max(gaps) < 1.5, f"{max(gaps):.2f}s between chunk starts: the container stalled"
    assert len(timings) * 0.2 >= 30, "the container did not keep logging through the outage"
    assert stop < 2, f"docker stop took {stop:.1f}s"


# -- B. kill -9 of the plugin ------------------------------------------------------------------------------
def test_plugin_killed_mid_stream_loses_nothing():
    """`kill -9` of the plugin's process while a container prints 3,000,000 lines: Docker restarts
    the plugin, the plugin re-opens the container's FIFO from its records, and every line arrives in
    order; duplicates only as replayed windows (the batch in flight, the read not yet consumed)."""
    n = 3_000_000
    with StreamReceiver() as rx:
        with d.detached_container(["seq", "1", str(n)], {"tcp-address": rx.address, **RAW}) as (name, _):
            wait_until(lambda: rx.count() >= 500_000, 60, "500,000 lines before the kill")
            pid = d.plugin_pid()
            assert pid, "the plugin's process was not found"
            at_kill = rx.count()
            os.kill(pid, signal.SIGKILL)
            killed = time.monotonic()
            new_pid = d.wait_plugin_running(other_than=pid, timeout=60)
            restarted = time.monotonic() - killed
            assert d.wait_exited(name, timeout=180) == 0
            wait_all_numbers([rx], n, timeout=120)
            delivered = time.monotonic() - killed
        nums, other = numbers_and_other(rx.lines())
    r = analyze(nums, 1, n)
    print(f"\n[kill -9] killed pid {pid} at {at_kill} lines; Docker restarted it as {new_pid} after {restarted:.2f}s; "
          f"all delivered {delivered:.1f}s after the kill; {r.summary()}; cut lines: {len(rx.fragments())}")
    assert not other, other[:5]
    r.assert_complete(max_windows=2)


# -- C. a slow receiver and the daemon's 10 s deadline ---------------------------------------------------
def test_slow_receiver_container_exits_at_once_and_the_tail_arrives_later(receivers):
    """A receiver reading 1 MB/s and a container printing 150,000 lines of 100 bytes (15 MB): the
    container exits at once, long before its lines could have been delivered, and the tail arrives
    later from the queue and spool, more than 10 s after the exit: nothing was cut by the daemon's
    10 s give-up on the stream."""
    n = 150_000
    pad = "p" * 93
    rx = receivers(rate=1_000_000).start()
    cmd = ["sh", "-c", f"seq 1 {n} | sed 's/$/ {pad}/'"]
    run = d.run_container(cmd, {"tcp-address": rx.address, **RAW}, capture=False)
    exited = time.monotonic()
    assert run.returncode == 0, run.stderr
    at_exit = rx.count()
    wait_all_numbers([rx], n, timeout=60)
    tail = time.monotonic() - exited
    rx.stop_draining()
    lines = rx.lines()
    print(f"\n[slow receiver] container ran {run.finished - run.started:.2f}s; {at_exit}/{n} lines delivered when "
          f"it exited; the last line arrived {tail:.1f}s after the exit")
    assert lines == [f"{i} {pad}".encode() for i in range(1, n + 1)]
    assert at_exit < n // 2, "the receiver was not slow enough for this test to mean anything"
    assert run.finished - run.started < 8, f"the container took {run.finished - run.started:.1f}s"
    assert tail > 10, "delivery ended within the daemon's 10 s deadline: this run did not test it"


# -- G. a crash during an outage ----------------------------------------------------------------------------
def test_backlog_survives_a_plugin_crash_during_an_outage(receivers):
    """The receiver is down; a container's 100,000 lines wait in the spool; the plugin is killed and
    Docker restarts it; a second container logs to the same destination; the receiver comes back:
    both containers' lines arrive, each in order."""
    rx = receivers()
    log = d.DaemonLog()
    first = d.run_container(["seq", "1", "100000"], {"tcp-address": rx.address, **RAW}, capture=False)
    assert first.returncode == 0, first.stderr
    pid = d.plugin_pid()
    if log.available:
        wait_until(lambda: any("ended entries=100000" in l for l in log.lines()), 10,
                   "the first stream to be read to its end")
    os.kill(pid, signal.SIGKILL)
    d.wait_plugin_running(other_than=pid, timeout=60)
    second = d.run_container(["sh", "-c", "seq 1 50000 | sed 's/^/second /'"], {"tcp-address": rx.address, **RAW},
                             capture=False)
    assert second.returncode == 0, second.stderr
    rx.start()
    wait_until(lambda: b"second 50000\n" in rx.data(), 30, "the second container's last line",
               describe=lambda: f"{rx.count()} lines")
    wait_until_stable(rx.count, 1.0, 30, "lines arriving")
    rx.stop_draining()
    nums, other = numbers_and_other(rx.lines())
    second_nums = [int(l.split(b" ")[1]) for l in other]
    r1, r2 = analyze(nums, 1, 100_000), analyze(second_nums, 1, 50_000)
    print(f"\n[crash during outage] first container: {r1.summary()}; second: {r2.summary()}")
    r1.assert_complete(max_windows=1)
    r2.assert_complete(max_windows=0)


# -- D and F: fail-over and DNS, with short intervals --------------------------------------------------
@pytest.fixture(scope="class")
def short_intervals():
    with d.plugin_settings(FAILBACK_INTERVAL="2s", RESOLVE_INTERVAL="1s"):
        yield


@pytest.mark.usefixtures("short_intervals")
class TestAddressChanges:
    def test_fail_over_and_fail_back(self, receivers):
        """tcp-address=A,B with FAILBACK_INTERVAL=2s: lines go to A; A shuts down and they go to B;
        A comes back and within the interval they go to A again; nothing lost, each in order."""
        n = 50_000
        a, b = receivers().start(), receivers().start()
        with d.detached_container(paced_seq(500, 90_000, chunks=n // 500), {"tcp-address": f"{a.address},{b.address}",
                                                                            **RAW}) as (name, _):
            wait_until(lambda: a.count() >= 5000, 30, "5,000 lines at A")
            a.stop_draining()
            wait_until(lambda: b.count() >= 5000, 30, "5,000 lines at B after A went down")
            a.start()
            back = time.monotonic()
            wait_until(lambda: a.connection_count == 2 and len(a.connections()[1]) > 0, 15,
                       "lines at A after it came back")
            failback = time.monotonic() - back
            assert d.docker("inspect", "-f", "{{.State.Running}}", name).stdout.strip() == b"true", \
                "the container finished before the fail-back: lengthen it"
            assert d.wait_exited(name, timeout=60) == 0
            wait_all_numbers([a, b], n, timeout=30)
        a.stop_draining()
        b.stop_draining()
        got_a, _ = numbers_and_other(a.lines())
        got_b, _ = numbers_and_other(b.lines())
        r = analyze(sorted(got_a + got_b), 1, n)
        print(f"\n[fail-over] A {len(got_a)} lines, B {len(got_b)} lines, fail-back {failback:.2f}s after A "
              f"returned; {r.summary()}")
        assert got_a == sorted(got_a) and got_b == sorted(got_b), "per-address order broken"
        r.assert_complete(max_windows=0)
        assert got_b and got_a[-1] == n
        assert failback < 4, f"fail-back took {failback:.1f}s with FAILBACK_INTERVAL=2s"

    def test_dns_change_is_followed(self, receivers):
        """The destination's host name (in the host's /etc/hosts, which the plugin sees through a bind
        mount) moves from 127.0.0.2 to 127.0.0.3, rewritten in place: with RESOLVE_INTERVAL=1s the
        plugin follows within a few seconds while connected; nothing lost, each address in order."""
        port = free_port(host="127.0.0.2")
        old = receivers(host="127.0.0.2", port=port).start()
        new = receivers(host="127.0.0.3", port=port).start()
        n = 16_000
        with temporary_host("127.0.0.2") as host:
            with d.detached_container(paced_seq(200, 90_000, chunks=n // 200),
                                      {"tcp-address": f"tcp://{host.name}:{port}", **RAW}) as (name, _):
                wait_until(lambda: old.count() >= 1000, 30, "lines at 127.0.0.2")
                host.point("127.0.0.3")
                moved = time.monotonic()
                wait_until(lambda: new.count() > 0, 15, "lines at 127.0.0.3 after the change",
                           describe=lambda: f"old {old.count()}, new {new.count()}")
                delay = time.monotonic() - moved
                assert d.wait_exited(name, timeout=60) == 0
                wait_all_numbers([old, new], n, timeout=30)
        old.stop_draining()
        new.stop_draining()
        got_old, _ = numbers_and_other(old.lines())
        got_new, _ = numbers_and_other(new.lines())
        r = analyze(got_old + got_new, 1, n)
        print(f"\n[dns] followed after {delay:.2f}s; 127.0.0.2 got {len(got_old)} lines, 127.0.0.3 {len(got_new)}; "
              f"{r.summary()}")
        r.assert_complete(max_windows=0)
        assert max(got_old) < min(got_new)
        assert delay < 5, f"followed the change only after {delay:.1f}s (RESOLVE_INTERVAL=1s)"


# -- E. a full spool ---------------------------------------------------------------------------------------
def test_full_spool_drops_oldest_and_never_blocks(receivers):
    """SPOOL_SIZE=1m, QUEUE_SIZE=64k and the receiver down: `seq 1 500000` runs about as fast as with
    no log driver at all, the oldest lines are dropped and counted in /metrics (received = sent +
    dropped + pending), the plugin log reports it at most once per 10 s, and once the receiver is
    up it gets the newest lines, in order, with exactly the dropped ones missing."""
    n = 500_000
    port = free_port()
    m = MetricsClient("127.0.0.1", port)
    baseline = d.run_container(["seq", "1", str(n)], driver="none", capture=False)
    with d.plugin_settings(SPOOL_SIZE="1m", QUEUE_SIZE="64k", METRICS_ADDRESS=f"127.0.0.1:{port}"):
        log = d.DaemonLog()
        wait_until(m.reachable, 10, f"the metrics endpoint on 127.0.0.1:{port}")
        rx = receivers()
        run = d.run_container(["seq", "1", str(n)], {"tcp-address": rx.address, **RAW}, capture=False)
        assert run.returncode == 0, run.stderr
        wait_until(lambda: m.value("logship_streams_active") == 0, 15, "the stream to end")
        drop_phase = time.time() - run.started
        stats = destination_totals(m.metrics(), rx.address)
        drops = [l for l in log.lines() if "dropped the oldest messages" in l]
        rx.start()
        # One scrape for all the numbers (a destination with no stream is retired about a second after
        # it has delivered everything; its final counters stay in /metrics for five minutes).
        final = wait_until(lambda: (st := destination_totals(m.metrics(), rx.address)) and st["pending_messages"] == 0
                           and st, 30, "the spool to be delivered")
        # Drops are also told in the container's own stream, at most every 10 s (issue 12).
        wait_until(lambda: sum(int(l.split()[1]) for l in numbers_and_other(rx.lines())[1]
                               if l.startswith(b"logship: ")) == final["dropped_messages_total"], 20, "the drop notices")
        final = destination_totals(m.metrics(), rx.address)
        rx.stop_draining()
    got, other = numbers_and_other(rx.lines())
    notices = [l for l in other if l.startswith(b"logship: ")]
    other = [l for l in other if l not in notices]
    r = analyze(got, 1, n)
    runtime, base = run.finished - run.started, baseline.finished - baseline.started
    print(f"\n[spool full] container {runtime:.2f}s (log-driver none: {base:.2f}s); metrics at its exit {stats}; "
          f"after delivery {final}; drop reports in the plugin log: {len(drops)}; delivered: {r.summary()}")
    assert runtime < max(5.0, 3 * base), f"the container took {runtime:.1f}s (log-driver none: {base:.1f}s)"
    assert stats["received_messages_total"] == n and stats["dropped_messages_total"] > 0, stats
    assert stats["received_messages_total"] == (stats["sent_messages_total"] + stats["dropped_messages_total"]
                                                + stats["pending_messages"]), stats
    # The destination's sent messages include the notices, logship's own.
    assert final["received_messages_total"] == final["sent_messages_total"] - len(notices) + final["dropped_messages_total"], final
    assert not other and len(got) == final["sent_messages_total"] - len(notices)
    assert got == sorted(set(got)) and got[-1] == n, "delivered lines out of order, duplicated, or the newest lost"
    assert r.missing_count == final["dropped_messages_total"]
    if log.available:
        assert 1 <= len(drops) <= 1 + int(drop_phase // 10), f"{len(drops)} reports in {drop_phase:.1f}s: {drops}"
