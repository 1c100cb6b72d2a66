"""Issue 8 on a real Docker engine: routine operations on a busy host lose no line and hold no container.

The operations are the ones an operator does without thinking: `docker plugin disable -f` + `enable`
(to change a setting, or by an upgrade) while containers run, two containers using one collector
address in different formats, a spool filesystem that fills up, the plugin crashing (OOM, bug) while
long lines flow, a host-wide setting set to a wrong value. Receivers are the harness' Python TCP
receivers (raw lines, or GELF), so every line a container prints can be counted.

Every test removes its containers, restores the plugin's settings and unmounts what it mounted, even
when it fails: a leftover container keeps the plugin "in use" and blocks `docker plugin disable`
for everyone sharing this engine. A container whose FIFO the plugin abandoned (the failure some of
these tests look for) cannot be removed until something reads that FIFO: cleanup drains it
(`docker.remove_all_rescuing`).
"""

from __future__ import annotations

import os
import signal
import time
from contextlib import ExitStack

from harness import docker as d
from harness.framings import describe, parse_gelf, parse_lf_lines
from harness.lines import LongLineReport, awk_long_lines, digits_long_line
from harness.metrics import MetricsClient, destination_totals
from harness.procfs import RssSampler, rss_bytes
from harness.receivers import free_port
from harness.sequence import analyze
from harness.tmpfs import mounted_tmpfs
from harness.waiting import wait_until, wait_while_progressing

RAW = {"tcp-format": "raw"}
MiB = 1 << 20


def plain_numbers(lines: list[bytes]) -> list[int]:
    out = []
    for l in lines:
        assert l.isdigit(), f"unexpected line {l[:80]!r}"
        out.append(int(l))
    return out


def first_numbers(lines: list[bytes]) -> list[int]:
    """The leading number of each line (`seq ... | sed 's/$/ .../'`)."""
    return [int(l.split(b" ", 1)[0]) for l in lines]


def wait_all(rx, n: int, timeout: float, stall: float = 10.0) -> bool:
    """True once 1..n have all arrived at rx (plain numbers); False when nothing arrives for `stall`."""
    return wait_while_progressing(lambda: rx.count() >= n and len(set(plain_numbers(rx.lines()))) >= n,
                                  rx.count, timeout, stall)


def ensure_enabled() -> None:
    info = d.plugin_inspect()
    if info is not None and not info["Enabled"]:
        d.docker("plugin", "enable", d.PLUGIN, check=False)


# -- A. disable -f + enable with two destinations ---------------------------------------------------------------
def test_disable_enable_loses_nothing_of_an_idle_destination(receivers):
    """Container A prints 300,000 lines of ~50 bytes (15 MB, more than the sockets buffer) to a
    receiver that accepts and never reads, so its destination has a backlog when the plugin is
    disabled and shutdown spends its grace period on it; container B prints one line every 10 ms
    (3,000) to a healthy receiver. `docker plugin disable -f` + `enable` while B runs: none of B's
    lines is missing; then A's receiver reads and all of A's 300,000 lines arrive. Today the idle
    destination's queue is closed at shutdown while B's reader still reads: the lines of the grace
    period are lost."""
    n_a, n_b, pad = 300_000, 3000, "a" * 40
    hung = receivers(paused=True).start()
    healthy = receivers().start()
    b_cmd = ["sh", "-c", f"i=1; while [ $i -le {n_b} ]; do echo $i; usleep 10000; i=$((i+1)); done"]
    port = free_port()
    m = MetricsClient("127.0.0.1", port)
    with d.plugin_settings(METRICS_ADDRESS=f"127.0.0.1:{port}"), ExitStack() as stack:
        stack.callback(ensure_enabled)
        wait_until(m.reachable, 15, f"the metrics endpoint on 127.0.0.1:{port}")
        log = d.DaemonLog()
        b_name, _ = stack.enter_context(d.detached_container(b_cmd, {"tcp-address": healthy.address, **RAW}))
        a_name, _ = stack.enter_context(d.detached_container(["sh", "-c", f"seq 1 {n_a} | sed 's/$/ {pad}/'"],
                                                             {"tcp-address": hung.address, **RAW}))
        assert d.wait_exited(a_name, timeout=60) == 0
        wait_until(lambda: m.value("logship_destination_received_messages_total", destination=hung.address) == n_a,
                   30, "all of A's lines taken in")
        backlog = int(m.value("logship_destination_pending_messages", destination=hung.address))
        assert backlog > n_a // 2, f"A's destination has only {backlog} lines waiting: no backlog to test with"
        wait_until(lambda: healthy.count() >= 300, 30, "B's first 300 lines")
        down = d.plugin_force_restart()
        at_enable = healthy.count()
        wait_until(lambda: healthy.count() > at_enable + 50, 30, "B's lines after the plugin came back",
                   describe=lambda: f"{healthy.count()} lines")
        hung.resume()  # soon: what the old connection had in flight is still on its way to it
        assert d.wait_exited(b_name, timeout=120) == 0
        b_ok = wait_all(healthy, n_b, timeout=30)
        a_ok = wait_while_progressing(lambda: len(set(first_numbers(hung.lines()))) >= n_a, hung.count, 120, 15)
        plugin_log = log.lines()
    healthy.stop_draining()
    hung.stop_draining()
    rb, ra = analyze(plain_numbers(healthy.lines()), 1, n_b), analyze(first_numbers(hung.lines()), 1, n_a)
    ebadf = [l for l in plugin_log if "Bad file descriptor" in l]
    print(f"\n[disable -f/enable] {backlog} of A's lines waiting; plugin down {down:.1f}s; B: {rb.summary()}; "
          f"A: {ra.summary()}; EBADF in the plugin log: {len(ebadf)}")
    assert b_ok and not rb.missing, f"B lost lines across disable/enable: {rb.summary()}"
    assert a_ok and not ra.missing, f"A lost lines: {ra.summary()}"
    assert not ebadf, ebadf[:3]


# -- B. GELF and raw on one address ---------------------------------------------------------------------------------
def test_gelf_and_raw_containers_on_one_address_use_separate_connections(receivers):
    """Two containers print at the same time to one tcp-address, one with tcp-format=gelf, one raw:
    every connection the receiver gets is all GELF (NUL-terminated JSON that parses) or all raw lines,
    and every line of both arrives. Today they share one connection, mixing the two."""
    n = 20_000
    rx = receivers().start()
    with d.StartGate() as gate, ExitStack() as stack:
        names = []
        for prefix, fmt in (("G", "gelf"), ("R", "raw")):
            name, _ = stack.enter_context(d.detached_container(
                gate.script(f"seq 1 {n} | sed 's/^/{prefix}/'"), {"tcp-address": rx.address, "tcp-format": fmt},
                docker_args=gate.docker_args))
            names.append(name)
        gate.open()
        for name in names:
            assert d.wait_exited(name, timeout=60) == 0
        wait_while_progressing(lambda: rx.count(b"\n") + rx.count(b"\0") >= 2 * n,
                               lambda: rx.count(b"\n") + rx.count(b"\0"), timeout=60)
    rx.stop_draining()
    conns = [c for c in rx.connections() if c]
    print(f"\n[gelf + raw on one address] {len(conns)} connections: {describe(conns)}")
    got = {"G": [], "R": []}
    for k, data in enumerate(conns):
        kind, parse = ("G", parse_gelf) if data.startswith(b"{") else ("R", parse_lf_lines)
        try:
            messages = parse(data)
        except AssertionError as e:
            raise AssertionError(f"connection {k} mixes framings: {e}") from None
        for msg in messages:
            assert msg[:1] == kind.encode() and msg[1:].isdigit(), f"connection {k} ({kind}) carries {msg[:60]!r}"
            got[kind].append(int(msg[1:]))
    for kind, nums in got.items():
        r = analyze(nums, 1, n)
        assert not r.missing and not r.duplicates and not r.anomalies, f"{kind}: {r.summary()}"


# -- C. a full spool filesystem -----------------------------------------------------------------------------------
# In the plugin's propagated mount, whose mounts the host shares with the running plugin: a tmpfs
# mounted over STATE_DIR/spool on the host is the spool filesystem the plugin writes to.
STATE_DIR = "/run/docker/logging/logship-e2e-state"


def test_full_spool_filesystem_bounds_memory_and_counts_drops(receivers):
    """The spool on a 4 MiB tmpfs (mounted over STATE_DIR/spool in the plugin's propagated mount),
    QUEUE_SIZE=4m, receiver down while a container prints 500,000 lines of 100 bytes (50 MB): the
    plugin does not crash, its RSS stays below its RSS at start + QUEUE_SIZE + 16 MiB, every line is
    delivered or counted as dropped (exactly), none twice, and /health is 200 at the end. Today the
    first ENOSPC makes the queue keep everything in memory."""
    n, pad = 500_000, "p" * 92  # "NNNNNN " + 92 bytes + LF: about 100 bytes a line
    port = free_port()
    m = MetricsClient("127.0.0.1", port)
    rx = receivers()  # down
    with d.plugin_settings(STATE_DIR=STATE_DIR, QUEUE_SIZE="4m", METRICS_ADDRESS=f"127.0.0.1:{port}"):
        wait_until(m.reachable, 15, f"the metrics endpoint on 127.0.0.1:{port}")
        pid = d.plugin_pid()
        spool = d.plugin_propagated_mount() / STATE_DIR.removeprefix("/run/docker/logging/") / "spool"
        with mounted_tmpfs(spool, "4m"):
            seen = [l.split() for l in open(f"/proc/{pid}/mountinfo") if l.split()[4] == STATE_DIR + "/spool"]
            assert seen and "tmpfs" in seen[-1], f"the plugin does not see the tmpfs at {STATE_DIR}/spool: {seen}"
            rss_start = rss_bytes(pid)
            limit = rss_start + 4 * MiB + 16 * MiB
            with RssSampler(pid) as rss:
                run = d.run_container(["sh", "-c", f"seq 1 {n} | sed 's/$/ {pad}/'"],
                                      {"tcp-address": rx.address, **RAW}, capture=False, timeout=180)
                wait_until(lambda: m.value("logship_streams_active") == 0, 30, "the stream to end")
                peak = rss.peak
            alive = d.plugin_pid() == pid
            down_stats = destination_totals(m.metrics(), rx.address)
            rx.start()
            final = wait_until(lambda: (st := destination_totals(m.metrics(), rx.address))
                               and st["pending_messages"] == 0 and st, 120, "everything pending delivered",
                               describe=lambda: str(destination_totals(m.metrics(), rx.address)))
            wait_until(lambda: rx.count() >= final["sent_messages_total"], 30, "the receiver to have what was sent")
            health = wait_until(lambda: m.health()[0] == 200 and 200, 15, "/health 200",
                                describe=lambda: str(m.health()))
        rx.stop_draining()
    nums = [int(l.split(b" ", 1)[0]) for l in rx.lines()]
    unique = len(set(nums))
    dropped = final["dropped_messages_total"]
    print(f"\n[full spool fs] container exit {run.returncode} after {run.finished - run.started:.1f}s; RSS start "
          f"{rss_start / MiB:.1f} MiB, peak {peak / MiB:.1f} MiB (limit {limit / MiB:.1f}); with the receiver down "
          f"{down_stats}; delivered {unique} unique ({len(nums) - unique} twice) + dropped {dropped} vs printed {n}; "
          f"/health {health}")
    assert run.returncode == 0 and alive, "the container failed or the plugin restarted"
    assert peak < limit, f"RSS reached {peak / MiB:.1f} MiB (limit {limit / MiB:.1f})"
    assert len(nums) == unique, "lines arrived twice"
    assert unique + dropped == n, f"delivered {unique} + dropped {dropped} != printed {n}"


# -- D. long lines through two crashes ------------------------------------------------------------------------------
def test_long_lines_from_60_containers_survive_two_crashes(receivers):
    """64 containers, half to each of two receivers, each printing 150 self-checking lines of 20 KiB
    (two pieces each in Docker's FIFO), each line in two writes 40 ms apart (17 KiB, then the rest:
    the first piece waits in the FIFO for its second), so the plugin's process, killed (SIGKILL)
    twice while they print and restarted by Docker each time, always dies in the middle of lines. Every line arrives whole, none is missing;
    duplicates (in flight at a crash) are allowed and counted. Today a line whose first piece was
    read before the kill loses it, and the second piece arrives as a line of its own."""
    n_containers, per, length = 64, 150, 20 * 1024
    rxs = [receivers().start(), receivers().start()]
    kills = []
    with d.StartGate() as gate, ExitStack() as stack:
        names = []
        for k in range(n_containers):
            name, _ = stack.enter_context(d.detached_container(
                gate.script(awk_long_lines(f"c{k}", per, length, pause_us=40_000)),
                {"tcp-address": rxs[k % 2].address, **RAW}, docker_args=gate.docker_args))
            names.append(name)
        gate.open()
        total = n_containers * per

        def received() -> int:
            return sum(r.count() for r in rxs)

        for fraction in (1 / 3, 2 / 3):
            wait_until(lambda: received() >= fraction * total, 120, f"{fraction:.0%} of the lines",
                       describe=lambda: f"{received()} of {total}")
            pid = d.plugin_pid()
            os.kill(pid, signal.SIGKILL)
            kills.append(received())
            d.wait_plugin_running(other_than=pid, timeout=60)
        for name in names:
            assert d.wait_exited(name, timeout=180) == 0
        wait_while_progressing(lambda: received() >= total, received, timeout=60, stall=10)
    for r in rxs:
        r.stop_draining()
    report = LongLineReport([l for r in rxs for l in r.lines()], digits_long_line)
    expected = {f"c{k}": per for k in range(n_containers)}
    missing = {s: report.missing(s, c) for s, c in expected.items() if report.missing(s, c)}
    dups = sum(report.duplicates(s) for s in expected)
    print(f"\n[long lines, 2 crashes, {n_containers} containers] kills at {kills} lines received; {len(report.bad)} lines "
          f"not whole {report.bad[:3]}; {sum(len(v) for v in missing.values())} missing in {len(missing)} "
          f"containers; {dups} duplicates")
    assert not report.bad, f"{len(report.bad)} lines arrived cut or spliced: {report.bad[:5]}"
    assert not missing, f"lines missing: {dict(list(missing.items())[:5])}"


# -- E. a host-wide setting changed to an invalid value --------------------------------------------------------------
def test_invalid_host_wide_setting_does_not_hold_running_containers(receivers):
    """TCP_FORMAT=raw host-wide, two containers with only a tcp-address of their own. The operator
    disables the plugin (-f), sets TCP_FORMAT=bogus and enables it: the running containers keep their
    last good settings, so the 300,000 lines each prints afterwards all arrive, raw; both finish
    promptly and `docker rm -f` of them returns at once. Today re-attaching fails on the bad setting,
    nothing reads their FIFOs again and the containers hang in write()."""
    n = 300_000
    rx = receivers().start()
    with d.plugin_settings(TCP_FORMAT="raw"), d.StartGate() as gate, ExitStack() as stack:
        names = []
        for prefix in ("X", "Y"):
            name, _ = stack.enter_context(d.detached_container(
                ["sh", "-c", f"echo {prefix}0; while [ ! -e /gate/open ]; do usleep 20000; done; "
                             f"seq 1 {n} | sed 's/^/{prefix}/'"],
                {"tcp-address": rx.address}, docker_args=gate.docker_args))
            names.append(name)
        # Removed before plugin_settings restores the setting, draining any FIFO nobody reads.
        stack.callback(d.remove_all_rescuing, names)
        wait_until(lambda: rx.count() >= 2, 30, "each container's first line")
        d.plugin_force_restart(TCP_FORMAT="bogus")
        gate.open()
        began = time.monotonic()
        exits = {}
        for name in names:
            left = max(1.0, 45 - (time.monotonic() - began))
            try:
                exits[name] = d.wait_exited(name, timeout=left)
            except Exception as e:  # subprocess.TimeoutExpired: still writing (held)
                exits[name] = f"still running after {time.monotonic() - began:.0f}s ({type(e).__name__})"
        ran = time.monotonic() - began
        removal = {}
        for name in names:  # once one hangs, the others would too: cleanup takes care of them
            removal[name] = d.remove_within(name, 10) if None not in removal.values() else "not tried"
        complete = wait_while_progressing(lambda: rx.count() >= 2 * (n + 1), rx.count, timeout=60, stall=10)
    rx.stop_draining()
    lines = rx.lines()
    foreign = [l for l in lines if l[:1] not in (b"X", b"Y") or not l[1:].isdigit()]
    per = {p: analyze([int(l[1:]) for l in lines if l[:1] == p.encode() and l[1:].isdigit()], 0, n) for p in "XY"}
    print(f"\n[TCP_FORMAT=bogus while running] exits {exits} after {ran:.1f}s; docker rm -f took {removal}; "
          f"{len(foreign)} lines not raw {foreign[:2]}; " + "; ".join(f"{p}: {r.summary()}" for p, r in per.items()))
    assert all(e == 0 for e in exits.values()), f"containers held: {exits}"
    assert all(isinstance(t, float) and t < 10 for t in removal.values()), \
        f"docker rm -f did not return promptly: {removal}"
    assert complete and not foreign and all(not r.missing for r in per.values()), \
        "; ".join(f"{p}: {r.summary()}" for p, r in per.items())
