"""Routes on a real Docker engine (issue 13, "How it is checked").

The plugin's `config` mount is pointed at a directory of the test's (with CONFIG_DIR=/config) for the
module, so the test writes routes.conf where the running plugin reads it:
- `default` sends syslog to rsyslog, `audit` sends GELF to a TCP receiver: a container labelled
  `logship.route=audit` and one without a label each arrive only where their route says, in its format;
- while both keep printing, routes.conf is rewritten so that `audit` points at a third receiver: from
  within 2 s the labelled container's lines arrive there, none missing or twice across the change, the
  plugin's process the same;
- a broken file (an unknown option) changes no routing, and /health names the error; fixed, it is loaded;
- `--log-opt route=nosuch` fails `docker run` listing the routes; a container's own `--log-opt` wins
  over its route's value.
"""

from __future__ import annotations

import json
import time
from contextlib import ExitStack

import pytest

from harness import docker as d
from harness.metrics import MetricsClient
from harness.receivers import free_port
from harness.routes import RoutesDir, route_text
from harness.sequence import analyze
from harness.waiting import wait_until, wait_while_progressing

AUDIT_LABEL = ["--label", "logship.route=audit"]
NUL = b"\0"  # GELF messages end in NUL


@pytest.fixture(scope="module")
def routed_plugin():
    """(RoutesDir, MetricsClient): the plugin reading routes.conf from a directory of the test's."""
    config = RoutesDir()
    port = free_port()
    metrics = MetricsClient("127.0.0.1", port)
    try:
        with d.plugin_mounts({"config": str(config.path)}, CONFIG_DIR="/config", METRICS_ADDRESS=f"127.0.0.1:{port}"):
            wait_until(metrics.reachable, 15, f"the metrics endpoint on 127.0.0.1:{port}")
            yield config, metrics
    finally:
        config.remove()


def steady_printer(prefix: str) -> list[str]:
    """PREFIX1, PREFIX2, ... about every 5 ms until /gate/stop exists, then `PREFIX-end N`."""
    return ["sh", "-c", f"i=0; while [ ! -e /gate/stop ]; do i=$((i+1)); echo {prefix}$i; usleep 5000; done; "
                        f"echo {prefix}-end $i"]


def gelf_messages(rx) -> list[str]:
    """The short_message of every complete GELF message so far (the last may still be arriving)."""
    return [json.loads(record)["short_message"] for record in rx.data().split(NUL)[:-1]]


def gelf_numbers(rx, prefix: str) -> list[int]:
    return [int(x[len(prefix):]) for x in gelf_messages(rx) if x.startswith(prefix) and x[len(prefix):].isdigit()]


def syslog_numbers(rsyslog, prefix: str) -> list[int]:
    return [int(m["msg"][len(prefix):]) for m in rsyslog.messages()
            if m["msg"].startswith(prefix) and m["msg"][len(prefix):].isdigit()]


def generation(m: MetricsClient) -> int:
    return int(m.value("logship_routes_generation"))


def test_routes_place_each_container_and_a_rewrite_moves_the_labelled_one_live(routed_plugin, rsyslog, receivers):
    config, m = routed_plugin
    audit1, audit3 = receivers().start(), receivers().start()
    routes = route_text("default", syslog_address=rsyslog.tcp_address)
    config.write(routes + route_text("audit", tcp_address=audit1.address, tcp_format="gelf"))
    start_generation = wait_until(lambda: m.health()[1]["routes"]["names"] == ["audit", "default"] and generation(m),
                                  5, "the routes to be in force")
    pid = d.plugin_pid()
    with d.StartGate() as gate, ExitStack() as stack:
        labelled, _ = stack.enter_context(d.detached_container(steady_printer("L"), docker_args=gate.docker_args + AUDIT_LABEL))
        plain, plain_id = stack.enter_context(d.detached_container(steady_printer("U"), docker_args=gate.docker_args))
        wait_until(lambda: len(gelf_numbers(audit1, "L")) >= 200 and len(syslog_numbers(rsyslog, "U")) >= 200, 30,
                   "200 lines of each container where its route says",
                   describe=lambda: f"audit1 {audit1.count(NUL)}, rsyslog {len(rsyslog.messages())}")
        # Each only where its route says, in its route's format.
        assert not [x for x in gelf_messages(audit1) if not x.startswith("L")]
        assert not [x for x in rsyslog.messages() if not x["msg"].startswith("U")]
        assert {x["app_name"] for x in rsyslog.messages()} == {plain_id[:12]}

        config.write(routes + route_text("audit", tcp_address=audit3.address, tcp_format="gelf"))
        changed = time.monotonic()
        wait_until(lambda: audit3.count(NUL) > 0, 2, "the labelled container's lines at the third receiver within 2 s",
                   interval=0.02)
        switched = time.monotonic() - changed

        # A broken file: the routes stay as they are, /health names the error.
        at_break = audit3.count(NUL)
        config.write(routes + route_text("audit", tcp_address=audit1.address, tcp_format="gelf", tcp_formt="raw"))
        status, health = wait_until(lambda: (h := m.health())[0] == 503 and h, 2, "/health to report the broken file")
        assert any('line 7: route "audit": unknown option "tcp-formt" (did you mean "tcp-format"?)' in p
                   for p in health["problems"]), health
        wait_until(lambda: audit3.count(NUL) >= at_break + 100, 10, "the labelled container to keep its route")
        assert generation(m) == start_generation + 1 and m.value("logship_routes_reload_errors_total") >= 1
        # Fixed again: loaded (it says what the routes in force say, so no new generation is needed).
        config.write(routes + route_text("audit", tcp_address=audit3.address, tcp_format="gelf"))
        wait_until(lambda: m.health()[0] == 200, 2, "/health to be ok again", describe=lambda: str(m.health()))

        (gate.dir / "stop").touch()
        assert d.wait_exited(labelled, timeout=30) == 0 and d.wait_exited(plain, timeout=30) == 0
        n_l = wait_until(lambda: next((int(x.split()[-1]) for x in gelf_messages(audit3) if x.startswith("L-end ")), None),
                         30, "the labelled container's last line")
        n_u = wait_until(lambda: next((int(x["msg"].split()[-1]) for x in rsyslog.messages() if x["msg"].startswith("U-end ")), None),
                         30, "the other container's last line")
        wait_while_progressing(lambda: len(set(gelf_numbers(audit1, "L") + gelf_numbers(audit3, "L"))) >= n_l
                               and len(set(syslog_numbers(rsyslog, "U"))) >= n_u,
                               lambda: audit1.count(NUL) + audit3.count(NUL) + len(rsyslog.messages()), timeout=60)
    one, three = gelf_numbers(audit1, "L"), gelf_numbers(audit3, "L")
    plain_numbers = syslog_numbers(rsyslog, "U")
    print(f"\n[routes e2e] L1..L{max(one)} at audit1, L{min(three)}..L{max(three)} at audit3 (of {n_l}); "
          f"first line at audit3 {switched * 1000:.0f} ms after the rewrite; U: {analyze(plain_numbers, 1, n_u).summary()}")
    assert one == list(range(1, len(one) + 1)), analyze(one, 1, len(one)).summary()
    assert three == list(range(len(one) + 1, n_l + 1)), analyze(three, len(one) + 1, n_l).summary()
    assert sorted(plain_numbers) == list(range(1, n_u + 1))
    assert d.plugin_pid() == pid, "the plugin was restarted"


def test_an_unknown_route_fails_docker_run_and_a_containers_own_option_wins(routed_plugin, receivers):
    config, m = routed_plugin
    audit, own = receivers().start(), receivers().start()
    config.write(route_text("default", tcp_address=audit.address, tcp_format="raw")
                 + route_text("audit", tcp_address=audit.address, tcp_format="gelf", tag="audit-{{.Name}}"))
    wait_until(lambda: m.health()[1]["routes"]["names"] == ["audit", "default"] and m.health()[0] == 200, 5,
               "the routes to be in force")
    refused = d.run_container(["echo", "never"], {"route": "nosuch"})
    assert refused.returncode != 0
    assert 'unknown route "nosuch" (log-opt route): the routes are audit, default in /config/routes.conf' in refused.stderr, refused.stderr
    run = d.run_container(["echo", "to my own receiver"], {"tcp-address": own.address}, docker_args=AUDIT_LABEL)
    assert run.returncode == 0, run.stderr
    wait_until(lambda: own.count(NUL) >= 1, 15, "the line at the container's own receiver")
    [message] = [json.loads(r) for r in own.records(NUL)]
    assert message["short_message"] == "to my own receiver" and message["_tag"] == f"audit-{run.name}"
    assert audit.count(NUL) == 0 and audit.count() == 0
