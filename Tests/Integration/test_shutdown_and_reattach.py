"""Issue 8: shutdown and re-attach never lose a line or abandon a FIFO (the binary played as dockerd).

A stream's FIFO is Docker's pipe into the plugin; a plugin that stops reading it blocks the
container once the pipe is full, and a plugin that reads it and then drops what it read loses lines
nobody can get back. These tests restart the plugin the way Docker does (same socket, same state
directory, no new StartLogging: the plugin re-attaches from its stream records) in the situations
where today's code does one or the other:

- SIGTERM while one destination has a backlog: the grace period is spent on it, and meanwhile the
  queue of an idle destination must stay open for its stream, which is still being read.
- A re-attach that cannot resolve the stream's options again (a tag that needs an environment
  variable the record does not keep; a host-wide setting changed to an invalid value) or that
  fails for a passing reason (out of descriptors): the FIFO must still be read, with the settings
  the stream had, and the record must stay until it is.
- A valid host-wide change still applies to a re-attached stream (this works today; kept working).

Lines are numbered per stream (`harness.lines`); a write into a FIFO is timed by `FifoWriter`.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import time

from harness import frames
from harness.fifo_writer import STALL_LIMIT, FifoWriter
from harness.lines import numbered, numbered_chunks, numbers_of, report, wait_numbers
from harness.procfs import fd_targets
from harness.waiting import wait_until

RAW = {"tcp-format": "raw"}


def _log_since(p, offset: int) -> str:
    return p.stderr_text()[offset:]


# -- 1. SIGTERM with two destinations ---------------------------------------------------------------------
def test_sigterm_keeps_reading_into_an_idle_destination_while_another_has_a_backlog(metered, stream_on, receivers):
    """Stream A (300,000 lines) goes to a receiver that accepts and never reads, so at SIGTERM its
    destination has a backlog and shutdown spends the 7 s grace period on it. Stream B writes one
    line every 10 ms to a healthy receiver, through the shutdown, the downtime and the restart.
    B's reader keeps reading during the grace period, so B's queue must stay open until the reader
    stops: every one of B's 3,000 lines arrives (today the idle destination's queue is closed at
    once and ~600 lines read meanwhile are lost, with EBADF in the log). Then A's receiver reads
    again and all of A's 300,000 lines arrive from the spool. No write blocks while the plugin runs."""
    n_a, n_b, width_a = 300_000, 3000, 40
    p, m = metered()
    hung = receivers(paused=True).start()
    healthy = receivers().start()
    a = stream_on(p, {"tcp-address": hung.address, **RAW})
    b = stream_on(p, {"tcp-address": healthy.address, **RAW})
    wb = FifoWriter(b.fd, [frames.line_frames(numbered("B", i)) for i in range(1, n_b + 1)], interval=0.01,
                    stall_timeout=120, name="writer-B").start()  # 30 s
    wa = FifoWriter(a.fd, numbered_chunks("A", 1, n_a, 1000, width_a), interval=0.01, name="writer-A").start()
    wa.join(60)
    wait_until(lambda: m.value("logship_destination_received_messages_total", destination=hung.address) == n_a, 20,
               "all of A's lines taken from the FIFO")
    backlog = int(m.value("logship_destination_pending_messages", destination=hung.address))
    assert backlog > n_a // 2, f"A's destination has only {backlog} lines waiting: no backlog to test with"
    wait_until(lambda: healthy.count() >= 300, 20, "B's first 300 lines")
    assert not wb.done

    log_before = len(p.stderr_text())
    down = time.monotonic()
    status = p.terminate(timeout=15)
    shutdown = time.monotonic() - down
    at_term = healthy.count()
    p.restart()
    up = time.monotonic()
    wait_until(lambda: healthy.count() > at_term + 50, 20, "B's lines after the restart",
               describe=lambda: f"{healthy.count()} of B's lines")
    hung.resume()  # soon after the restart: the old connection's bytes are still in flight to it
    wb.join(90)
    b.finish()
    a.finish()
    b_ok = wait_numbers(healthy.lines, {"B": (1, n_b)}, timeout=30, stall=10, count=healthy.count, check=False)
    a_ok = wait_numbers(hung.lines, {"A": (1, n_a)}, width=width_a, timeout=120, stall=15, count=hung.count,
                        check=False)
    healthy.stop_draining()
    hung.stop_draining()
    rb = report(healthy.lines(), "B", 1, n_b)
    ra = report(hung.lines(), "A", 1, n_a, width_a)
    log = _log_since(p, log_before)
    ebadf = [l for l in log.splitlines() if "Bad file descriptor" in l or "EBADF" in l]
    block_a = wa.longest_outside([(down, up)])
    block_b = wb.longest_outside([(down, up)])
    print(f"\n[SIGTERM, two destinations] shutdown took {shutdown:.2f}s (exit {status}) with {backlog} of A's lines "
          f"waiting; B: {rb.summary()}; A: {ra.summary()}; longest write while the plugin ran: A {block_a:.2f}s, "
          f"B {block_b:.2f}s; EBADF lines in the log: {len(ebadf)} {ebadf[:2]}")
    assert status == 0
    assert b_ok and not rb.missing, f"B lost lines through the shutdown: {rb.summary()}"
    assert a_ok and not ra.missing, f"A lost lines: {ra.summary()}"
    assert block_a < STALL_LIMIT and block_b < STALL_LIMIT, "a write blocked while the plugin was running"
    assert not ebadf, ebadf[:5]


# -- 3a. a tag that needs an environment variable the record does not keep --------------------------------
def test_reattach_keeps_a_tag_rendered_from_unselected_environment(metered, stream_on, receivers):
    """tag={{index .ContainerEnv 0}} renders from the container's environment, which the stream record
    keeps only in part (the variables `env`/`env-regex` select: none here). After kill -9 the
    re-attached stream must still be read and keep the tag it had; today re-attach fails ("index 0 out
    of range"), the record is deleted and nothing reads the FIFO again: the writer blocks."""
    p, m = metered()
    rx = receivers().start()
    env = ["APP_ROLE=checkout", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
    s = stream_on(p, {"tcp-address": rx.address, "tcp-format": "json", "tag": "{{index .ContainerEnv 0}}"}, env=env)
    s.log_lines([numbered("T", i, 100) for i in range(1, 101)])
    rx.wait_for_lines(100)
    tags_before = {json.loads(l)["tag"] for l in rx.lines()}
    assert tags_before == {"APP_ROLE=checkout"}, tags_before

    p.kill()
    log_before = len(p.stderr_text())
    p.restart()
    n = 30_000  # ~3.6 MB of frames: more than any pipe holds, so an unread FIFO blocks the writer
    writer = FifoWriter(s.fd, numbered_chunks("T", 101, n, 500, 100), interval=0.01, stall_timeout=10).start()
    writer.join(60)
    s.finish()
    wait_numbers(lambda: [json.loads(l)["message"].encode() for l in rx.lines()], {"T": (1, n)}, width=100,
                 count=rx.count)
    rx.stop_draining()
    objs = [json.loads(l) for l in rx.lines()]
    tags = {o["tag"] for o in objs}
    r = report([o["message"].encode() for o in objs], "T", 1, n, 100)
    print(f"\n[re-attach, tag from env] tags {tags}; {r.summary()}; longest write {writer.longest:.2f}s; "
          f"log after restart: {_log_since(p, log_before)[-400:]!r}")
    assert tags == {"APP_ROLE=checkout"}, f"the re-attached stream's tag changed: {tags}"
    assert not r.missing
    assert writer.longest < STALL_LIMIT


# -- 3b. a host-wide setting changed to an invalid value ---------------------------------------------------
def test_reattach_survives_an_invalid_host_wide_setting(metered, stream_on, receivers):
    """The plugin runs with TCP_ADDRESS and TCP_FORMAT=raw host-wide, a stream has no options of its
    own; the plugin is stopped (SIGTERM) and restarted with TCP_FORMAT=bogus. It still starts, warns
    about TCP_FORMAT, refuses new streams with an error naming it, and keeps reading the open stream
    with its last good settings: all of 300,000 lines written after the restart arrive, raw, and no
    write blocks. Today re-attach fails on the bad setting, the record is deleted and the FIFO is
    never read again."""
    rx = receivers().start()
    p, m = metered(TCP_ADDRESS=rx.address, TCP_FORMAT="raw")
    s = stream_on(p, {})
    s.log_lines([numbered("H", i, 60) for i in range(1, 101)])
    rx.wait_for_lines(100)

    assert p.terminate(timeout=15) == 0
    p.env["TCP_FORMAT"] = "bogus"
    log_before = len(p.stderr_text())
    p.restart()
    n = 300_100
    writer = FifoWriter(s.fd, numbered_chunks("H", 101, n, 1000, 60), interval=0.01, stall_timeout=10).start()
    fresh = stream_on(p, {}, expect_ok=False)
    refusal = fresh.responses[0]
    writer.join(90)
    s.finish()
    ok = wait_numbers(rx.lines, {"H": (1, n)}, width=60, timeout=60, count=rx.count, check=False)
    rx.stop_draining()
    lines = rx.lines()
    r = report(lines, "H", 1, n, 60)
    foreign = [l for l in lines if not l.startswith(b"H")]
    log = _log_since(p, log_before)
    warnings = [l for l in log.splitlines() if "TCP_FORMAT" in l and ("warn" in l or "error" in l)]
    print(f"\n[re-attach, TCP_FORMAT=bogus] new StartLogging: HTTP {refusal.status} {refusal.err!r}; {r.summary()}; "
          f"{len(foreign)} lines not raw; longest write {writer.longest:.2f}s, writer error: {writer.error}; "
          f"warnings naming TCP_FORMAT: {warnings[:2]}")
    assert not refusal.ok and "TCP_FORMAT" in refusal.err, f"a new stream was not refused over TCP_FORMAT: {refusal}"
    assert warnings, "no warning in the plugin log names TCP_FORMAT"
    assert writer.error is None and writer.longest < STALL_LIMIT, f"a write blocked: {writer.describe()}"
    assert ok and not r.missing and not foreign, r.summary()


# -- 3c. a re-attach that fails for a passing reason ------------------------------------------------------
def test_reattach_is_retried_after_running_out_of_descriptors(metered, stream_on, receivers):
    """12 streams; the plugin is killed and restarted with RLIMIT_NOFILE (soft) just above what it needs
    with no stream at all, so re-opening the FIFOs fails with EMFILE. Then the limit of the running
    process is raised (prlimit --pid): the records must still be there and re-attaching retried (with
    backoff) until every FIFO is read again; every line arrives. Today a failed re-attach deletes the
    record at once (and the plugin, out of descriptors, cannot even start its HTTP server)."""
    rx = receivers().start()
    p, m = metered()
    bare = len(fd_targets(p.pid))  # what the plugin holds with no stream and no destination
    n_streams, first_n, n = 12, 200, 15_000  # ~1.5 MB of frames a stream: more than any pipe holds
    streams = [stream_on(p, {"tcp-address": rx.address, **RAW}) for _ in range(n_streams)]
    for k, s in enumerate(streams):
        s.log_lines([numbered(f"S{k:02d}-", i, 80) for i in range(1, first_n + 1)])
    rx.wait_for_lines(n_streams * first_n)

    p.kill()
    records = sorted(os.listdir(p.state_dir / "streams"))
    limit = bare + 4  # room for the destination's spool files and connection, not for 12 FIFOs
    # Only the soft limit is lowered: raising a hard limit again needs CAP_SYS_RESOURCE.
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    raised = 4096 if hard == resource.RLIM_INFINITY else min(4096, hard)
    p.wrapper = ["prlimit", f"--nofile={limit}:{hard if hard != resource.RLIM_INFINITY else 'unlimited'}", "--"]
    log_before = len(p.stderr_text())
    try:
        p.restart()
    except RuntimeError:
        left = sorted(os.listdir(p.state_dir / "streams"))
        print(f"\n[re-attach under EMFILE] limit {limit}: the plugin did not start; {len(records)} stream records "
              f"before, {len(left)} after")
        raise
    writers = [FifoWriter(s.fd, numbered_chunks(f"S{k:02d}-", first_n + 1, n, 200, 80), interval=0.01,
                          stall_timeout=90, name=f"writer-{k}").start() for k, s in enumerate(streams)]
    # Proof that the limit bit: some FIFO is not being read.
    wait_until(lambda: any(not w.done and w.idle_for() > 2 for w in writers) or not p.alive(), 30,
               "a writer blocked on a FIFO the plugin could not re-open",
               describe=lambda: f"limit {limit}: the plugin re-opened every FIFO anyway; lower it")
    assert p.alive(), f"the plugin died out of descriptors: {_log_since(p, log_before)[-600:]}"
    kept = sorted(os.listdir(p.state_dir / "streams"))
    subprocess.run(["prlimit", "--pid", str(p.pid), f"--nofile={raised}:"], check=True)
    raised_at = time.monotonic()
    for w in writers:
        w.join(120)
    for s in streams:
        s.finish()
    expected = {f"S{k:02d}-": (1, n) for k in range(n_streams)}
    ok = wait_numbers(rx.lines, expected, width=80, timeout=60, count=rx.count, check=False)
    rx.stop_draining()
    lines = rx.lines()
    reports = {pfx: report(lines, pfx, a, b, 80) for pfx, (a, b) in expected.items()}
    lost = {pfx: r.missing_count for pfx, r in reports.items() if r.missing}
    print(f"\n[re-attach under EMFILE] limit {limit} (bare plugin: {bare} descriptors); records {len(records)} before, "
          f"{len(kept)} while limited; all writers done {time.monotonic() - raised_at:.1f}s after the limit was raised to {raised}; "
          f"lines lost per stream: {lost or 'none'}; duplicates: {sum(r.duplicates for r in reports.values())}")
    assert len(kept) == len(records), f"records deleted while re-attaching failed: {len(records)} -> {len(kept)}"
    assert ok and not lost, (lost, reports["S00-"].summary())


# -- 3d. a valid host-wide change still moves a re-attached stream ----------------------------------------
def test_reattached_stream_follows_a_valid_host_wide_change(metered, stream_on, receivers):
    """TCP_ADDRESS=rx1 host-wide; SIGTERM; restart with TCP_ADDRESS=rx2: the re-attached stream's lines
    written after the restart go to rx2 (a stream without options of its own follows the host-wide
    settings; what must not happen is that an invalid one strands it, see above). Works today."""
    rx1, rx2 = receivers().start(), receivers().start()
    p, m = metered(TCP_ADDRESS=rx1.address, TCP_FORMAT="raw")
    s = stream_on(p, {})
    s.log_lines([numbered("D", i) for i in range(1, 1001)])
    rx1.wait_for_lines(1000)
    assert p.terminate(timeout=15) == 0
    p.env["TCP_ADDRESS"] = rx2.address
    p.restart()
    s.log_lines([numbered("D", i) for i in range(1001, 2001)])
    s.finish()
    rx2.wait_for_lines(1000)
    rx1.stop_draining()
    rx2.stop_draining()
    assert numbers_of(rx1.lines(), "D") == list(range(1, 1001))
    assert numbers_of(rx2.lines(), "D") == list(range(1001, 2001))
