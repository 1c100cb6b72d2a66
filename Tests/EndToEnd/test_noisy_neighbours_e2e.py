"""Noisy neighbours on a real engine (issue 12): a container that floods a destination that is down
loses its own lines, never a quiet neighbour's; `rate-limit` drops what exceeds it and a notice in
the container's own stream makes the count exact; a real Prometheus reads the per-container drop
counters, and every panel of contrib/grafana-dashboard.json has data.

One plugin configuration for the module (one disable/set/enable): SPOOL_SIZE=2m, QUEUE_SIZE=64k and
METRICS_ADDRESS on a free port, scraped every second by a private Prometheus on another free port.
Messages are `tcp-format=json`, so each names its container, and a notice is the message whose
`source` is `logship`.
"""

from __future__ import annotations

import json
import math
import time
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

import pytest

from harness import docker as d
from harness import notices
from harness.metrics import MetricsClient
from harness.prometheus import Prometheus
from harness.receivers import free_port
from harness.waiting import wait_until

DASHBOARD = Path(__file__).resolve().parents[2] / "contrib" / "grafana-dashboard.json"


@pytest.fixture(scope="module")
def metrics():
    port = free_port()
    with d.plugin_settings(SPOOL_SIZE="2m", QUEUE_SIZE="64k", METRICS_ADDRESS=f"127.0.0.1:{port}"):
        m = MetricsClient("127.0.0.1", port)
        wait_until(m.reachable, 15, f"the metrics endpoint on 127.0.0.1:{port}")
        yield m


@pytest.fixture(scope="module")
def prometheus(metrics):
    with Prometheus(metrics.address) as p:
        wait_until(p.targets_up, 20, "prometheus to scrape logship")
        yield p


def split(rx, name: str) -> tuple[list[dict], list[int]]:
    """A container's own messages at `rx` and the counts of its drop notices, in arrival order."""
    return notices.split([json.loads(line) for line in rx.lines()], name)


def container_value(m: MetricsClient, family: str, name: str, **labels: str) -> int:
    fam = m.metrics().get(family)
    hits = [v for l, v in (fam.samples if fam else []) if l.get("container_name") == name
            and all(l.get(k) == x for k, x in labels.items())]
    return int(sum(hits)) if hits else -1


def test_a_flooder_loses_its_own_lines_and_a_quiet_neighbour_none(metrics, receivers):
    """A quiet container (1,000 numbered lines over half a second) and `seq 1 500000` (about 175 MB
    as JSON) log to one destination that is down, with a 2 MiB spool. When it comes back, all 1,000
    quiet lines arrive in order; the flooder's drops equal its counter in /metrics and the sum of
    its notices, and what it delivered plus what it lost is what it printed."""
    m, n = metrics, 500_000
    rx = receivers()  # down
    quiet_cmd = ["sh", "-c", "i=1; while [ $i -le 1000 ]; do echo q$i; "
                             "[ $((i % 100)) -eq 0 ] && usleep 50000; i=$((i+1)); done"]
    with ExitStack() as stack:
        quiet, quiet_id = stack.enter_context(d.detached_container(quiet_cmd, {"tcp-address": rx.address}))
        flooder, flooder_id = stack.enter_context(d.detached_container(["seq", "1", str(n)], {"tcp-address": rx.address}))
        assert d.wait_exited(quiet) == 0 and d.wait_exited(flooder, timeout=120) == 0
    wait_until(lambda: container_value(m, "logship_container_received_messages_total", flooder) == n
               and container_value(m, "logship_container_received_messages_total", quiet) == 1000, 30,
               "every line taken in", describe=lambda: m.metrics_text()[-1500:])
    dropped = container_value(m, "logship_container_dropped_messages_total", flooder, reason="overflow")
    assert dropped > n // 2, f"only {dropped} dropped: the spool did not overflow, the test proves nothing"
    status, health = m.health()
    assert [c["container_name"] for c in health["losing_lines"]] == [flooder], health

    rx.start()
    wait_until(lambda: m.value("logship_destination_pending_messages", destination=rx.address) == 0, 60,
               "the backlog delivered")
    # The last notice comes at most 10 s after the first drop it tells.
    wait_until(lambda: sum(split(rx, flooder)[1]) == dropped, 30, "notices that add up to the drops",
               describe=lambda: f"notices {split(rx, flooder)[1]}, dropped {dropped}")
    own_quiet, quiet_notices = split(rx, quiet)
    own_flood, flood_notices = split(rx, flooder)
    print(f"\n[flood] quiet: {len(own_quiet)} of 1000; flooder: {len(own_flood)} delivered, {dropped} dropped, "
          f"notices {flood_notices}")
    assert [x["message"] for x in own_quiet] == [f"q{i}" for i in range(1, 1001)], \
        f"{1000 - len(own_quiet)} of the quiet container's lines lost or out of order"
    assert quiet_notices == [] and container_value(m, "logship_container_dropped_messages_total", quiet) == 0
    numbers = [int(x["message"]) for x in own_flood]
    assert numbers == sorted(numbers) and numbers[-1] == n, "the flooder's lines out of order, or its newest lost"
    assert len(numbers) + dropped == n
    assert container_value(m, "logship_container_sent_messages_total", flooder) == len(numbers)
    assert all(x["container_id"] == flooder_id for x in own_flood[:1])
    fam = m.metrics()["logship_container_dropped_messages_total"]
    assert any(l.get("container_id") == flooder_id[:12] for l, _ in fam.samples), "container_id is not the 12-hex ID"


def test_rate_limit_passes_the_burst_and_the_rate_and_a_notice_makes_it_exact(metrics, receivers):
    """`rate-limit=100` (burst 100) on a container printing 10,000 lines in ten bursts over about
    one second. The limit runs on Docker's timestamps, so what passes is the burst plus one line per
    10 ms of the span they cover: at least 100, at most 100 + 100 × (the container's run time) + 1,
    here about 200. A notice tells how many were dropped, which makes the total exactly 10,000. A
    container on the same destination without the option loses nothing."""
    m = metrics
    rx = receivers().start()
    cmd = ["sh", "-c", "i=0; while [ $i -lt 10 ]; do seq $((i*1000+1)) $((i*1000+1000)); usleep 100000; i=$((i+1)); done"]
    with ExitStack() as stack:
        began = time.monotonic()
        limited, _ = stack.enter_context(d.detached_container(cmd, {"tcp-address": rx.address, "rate-limit": "100"}))
        free, _ = stack.enter_context(d.detached_container(["seq", "1", "10000"], {"tcp-address": rx.address}))
        assert d.wait_exited(limited) == 0
        ran = time.monotonic() - began
        assert d.wait_exited(free) == 0
    wait_until(lambda: len(split(rx, free)[0]) == 10_000, 30, "the other container's lines")
    wait_until(lambda: len(split(rx, limited)[0]) + sum(split(rx, limited)[1]) == 10_000, 30,
               "the notice that makes the count exact", describe=lambda: f"{len(split(rx, limited)[0])} lines, "
                                                                         f"notices {split(rx, limited)[1]}")
    own, counts = split(rx, limited)
    numbers = [int(x["message"]) for x in own]
    stamps = [datetime.fromisoformat(x["time"][:26] + "+00:00").timestamp() for x in own]
    print(f"\n[rate-limit=100] {len(own)} lines passed (stamps {stamps[-1] - stamps[0]:.2f} s apart), "
          f"notices {counts}; the container ran {ran:.2f} s")
    assert numbers[:100] == list(range(1, 101)) and numbers == sorted(numbers)
    assert 100 <= len(own) <= 100 + math.ceil(100 * ran) + 1
    assert container_value(m, "logship_container_dropped_messages_total", limited, reason="rate_limit") == sum(counts)
    assert [x["message"] for x in split(rx, free)[0]] == [str(i) for i in range(1, 10_001)]
    assert split(rx, free)[1] == []


def test_prometheus_reads_the_drops_and_every_dashboard_panel_has_data(metrics, prometheus, receivers):
    """A real Prometheus scraping /metrics: after a rate-limited container ran, its per-container drop
    counter in Prometheus is what it printed minus what the receiver got; then every panel query of
    contrib/grafana-dashboard.json returns at least one series."""
    rx = receivers().start()
    run = d.run_container(["seq", "1", "2000"], {"tcp-address": rx.address, "rate-limit": "50"})
    assert run.returncode == 0, run.stderr
    wait_until(lambda: split(rx, run.name)[1], 30, "the rate limit's notice")
    received = len(split(rx, run.name)[0])
    expected = 2000 - received
    query = f'logship_container_dropped_messages_total{{container_name="{run.name}",reason="rate_limit"}}'

    def scraped():
        result = prometheus.query(query)
        return result and float(result[0]["value"][1]) == expected and result

    [series] = wait_until(scraped, 20, f"prometheus to have {query} = {expected}",
                          describe=lambda: str(prometheus.query(query)))
    print(f"\n[prometheus] {query} = {series['value'][1]} (printed 2000, received {received})")
    assert series["metric"]["container_id"] == run.container_id[:12]

    dashboard = json.loads(DASHBOARD.read_text())
    panels = [p for p in dashboard["panels"] if p.get("targets")]
    assert len(panels) >= 8
    empty = []
    for panel in panels:
        for target in panel["targets"]:
            expr = target["expr"].replace("$__rate_interval", "1m")
            # rate() needs two scrapes of a series; the last of them may have just appeared.
            try:
                wait_until(lambda: prometheus.query(expr), 10, expr)
            except AssertionError:
                empty.append(f"{panel['title']}: {expr}")
    assert not empty, f"panels without data: {empty}"
