"""Issue 8, the smaller items: a duration setting that overflows, two StartLogging calls racing for one
FIFO, and a metrics client that holds every connection slot.

- `RESOLVE_INTERVAL=1e10h` (or any duration beyond Int64 nanoseconds) traps in the conversion today:
  the plugin dies with a signal at start, with nothing in the log saying why. It must refuse the
  value with an error naming the setting, or clamp it and run.
- The daemon retries a StartLogging whose answer timed out, on another connection: two calls for
  the same File may run at once. Today both pass the "already reading" check before either is
  registered, and two readers share one FIFO: lines are duplicated (or split between them).
- The metrics listener serves at most 64 connections at a time and keeps an idle one for 120 s:
  a client that opens 64 idle connections locks Prometheus out (503) for two minutes.
"""

from __future__ import annotations

import os
import socket
import threading
import time

import pytest

from harness.lines import numbered, report
from harness.metrics import MetricsClient
from harness.plugin_process import DaemonStream, PluginProcess, make_info
from harness.receivers import free_port
from harness.waiting import wait_until, wait_until_stable

RAW = {"tcp-format": "raw"}


# -- a duration that overflows --------------------------------------------------------------------------------
@pytest.mark.parametrize("setting,value", [("RESOLVE_INTERVAL", "1e10h"), ("FAILBACK_INTERVAL", "1e10h"),
                                           ("RESOLVE_INTERVAL", "infs")])
def test_overflowing_duration_setting_is_refused_or_clamped(logship_binary, setting, value):
    """The plugin either runs (the value clamped) or exits with a non-zero status and a message
    naming the setting; it never dies of a signal."""
    p = PluginProcess(logship_binary, env={setting: value})
    try:
        try:
            p.start()
            outcome = "runs"
        except RuntimeError:
            outcome = f"exited with status {p.proc.returncode}"
        log = p.stderr_text()
        print(f"\n[{setting}={value}] {outcome}; log: {log.strip()[-300:]!r}")
        if outcome != "runs":
            assert p.proc.returncode > 0, f"the plugin died of signal {-p.proc.returncode} at start: {log[-500:]!r}"
            assert setting in log, f"it exited without naming {setting}: {log[-500:]!r}"
    finally:
        p.stop()


# -- two StartLogging calls for one FIFO at once -----------------------------------------------------------------
def test_concurrent_start_logging_for_one_fifo_starts_one_reader(metered, receivers, short_tmp):
    """For each of 20 FIFOs, two StartLogging calls with the same File and Info arrive at the same time
    on two connections (the daemon retrying a call whose answer was late). Both succeed, and the FIFO
    has exactly one reader: each of its 1,000 lines arrives exactly once."""
    plugin, m = metered()
    n_fifos, n = 20, 1000
    # A destination of its own per FIFO: the first StartLogging for an address creates its queue,
    # spool and sender, which widens the window in which the two calls overlap.
    rxs = [receivers().start() for _ in range(n_fifos)]
    fifo_dir = short_tmp / "logging"
    fifo_dir.mkdir()
    streams, responses = [], []
    for k in range(n_fifos):
        s = DaemonStream(plugin.client(), fifo_dir, make_info({"tcp-address": rxs[k].address, **RAW}))
        os.mkfifo(s.path, 0o700)
        s.fd = os.open(s.path, os.O_RDWR)
        clients = [plugin.client(), plugin.client()]
        for c in clients:
            c.capabilities()  # connections open before the race, so both requests arrive together
        barrier = threading.Barrier(2)
        got = [None, None]

        def call(k, c=clients, b=barrier, g=got, st=s):
            b.wait()
            g[k] = c[k].start_logging(st.path, st.info)

        threads = [threading.Thread(target=call, args=(k,)) for k in (0, 1)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        responses.append(got)
        streams.append(s)
    try:
        for k, s in enumerate(streams):
            s.log_lines([numbered(f"R{k:02d}-", i) for i in range(1, n + 1)])
        wait_until(lambda: all(rx.count() >= n for rx in rxs), 30, "every line",
                   describe=lambda: str([rx.count() for rx in rxs]))
        fams = m.metrics()
        readers = int(fams["logship_streams_started_total"].value())
        active = int(fams["logship_streams_active"].value())
    finally:
        for s in streams:
            try:
                s.finish()
            except OSError:
                s.close()
    # A second reader's copies come after the first's.
    wait_until_stable(lambda: sum(rx.count() for rx in rxs), 1.0, 20, "lines arriving")
    for rx in rxs:
        rx.stop_draining()
    reports = [report(rxs[k].lines(), f"R{k:02d}-", 1, n) for k in range(n_fifos)]
    doubled = [k for k, r in enumerate(reports) if r.duplicates or r.anomalies]
    print(f"\n[concurrent StartLogging] {readers} readers started ({active} active) for {n_fifos} FIFOs; streams with duplicated or "
          f"disordered lines: {len(doubled)}; e.g. {reports[doubled[0]].summary() if doubled else '-'}")
    assert all(r[0].ok and r[1].ok for r in responses), [(r[0].err, r[1].err) for r in responses if not (r[0].ok and r[1].ok)]
    assert readers == active == n_fifos, f"{readers} readers started, {active} active, for {n_fifos} FIFOs"
    for k, r in enumerate(reports):
        assert not r.missing and not r.duplicates and not r.anomalies, f"FIFO {k}: {r.summary()}"


# -- idle connections to the metrics endpoint --------------------------------------------------------------------
def test_idle_metrics_connections_do_not_lock_out_a_scrape(start_plugin):
    """80 connections to the metrics listener that send nothing: a normal scrape (one GET /metrics with
    Prometheus' default 10 s timeout) still gets 200. Today the 65th connection and every one after it
    gets 503 "too many connections" until the idle ones time out after 120 s."""
    port = free_port()
    p = start_plugin({"METRICS_ADDRESS": f"127.0.0.1:{port}"})
    m = MetricsClient("127.0.0.1", port, timeout=10)
    wait_until(m.reachable, 10, "the metrics endpoint")
    idle = []
    try:
        for _ in range(80):
            idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        began = time.monotonic()
        try:
            status, _, body = m.get("/metrics")
        except OSError as e:
            status, body = None, repr(e).encode()
        took = time.monotonic() - began
        print(f"\n[metrics, 80 idle connections] scrape: HTTP {status} after {took:.2f}s {body[:60]!r}")
        assert status == 200, f"the scrape got {status} {body[:80]!r} with 80 idle connections open"
    finally:
        for s in idle:
            s.close()
    assert p.alive()
