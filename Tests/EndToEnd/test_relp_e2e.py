"""relp:// from real containers through the installed plugin into rsyslog's imrelp, whose ruleset
writes each message before acknowledging it (`harness.rsyslog_relp`): everything arrives in order,
and with rsyslog killed and stopped while containers log, RELP loses nothing, next to the same
schedule over tcp:// (its loss reported, not asserted: it depends on what rsyslog held at the kill).
"""

from __future__ import annotations

import signal
import time

import pytest

from harness import docker as d
from harness.rsyslog_relp import RELPRsyslog, numbers, wait_for_numbers
from harness.sequence import analyze


@pytest.fixture
def relp_rsyslog(short_tmp):
    rx = RELPRsyslog(short_tmp / "rx").start()
    yield rx
    rx.stop(quiet=0.3)


def test_seq_20000_over_relp_arrives_complete_and_in_order(relp_rsyslog):
    n = 20_000
    run = d.run_container(["seq", "1", str(n)], {"syslog-address": relp_rsyslog.relp_address, "tag": "e2e-relp"}, capture=False)
    assert run.returncode == 0, run.stderr
    wait_for_numbers(relp_rsyslog, "e2e-relp", n, timeout=60)
    assert numbers(relp_rsyslog, "e2e-relp") == list(range(1, n + 1))


def test_rsyslog_killed_and_stopped_while_containers_log(relp_rsyslog):
    """Two containers print 60,000 lines each in 12 bursts of 5,000, a second apart, one over relp://
    and one over tcp:// into the same rsyslog; rsyslog is killed (SIGKILL) twice and stopped (SIGTERM)
    once, a moment after a burst began, and restarted a second later each time."""
    rx = relp_rsyslog
    bursts, per_burst = 12, 5_000
    n = bursts * per_burst
    script = (f"i=0; while [ $i -lt {bursts} ]; do seq $((i*{per_burst}+1)) $((i*{per_burst}+{per_burst})); "
              "i=$((i+1)); sleep 1; done")
    with d.detached_container(["sh", "-c", script], {"syslog-address": rx.relp_address, "tag": "e2e-relp-kill"}) as (relp, _), \
            d.detached_container(["sh", "-c", script], {"syslog-address": rx.tcp_address, "tag": "e2e-tcp-kill"}) as (tcp, _):
        began = time.monotonic()
        # Burst k starts about k seconds after the containers: the faults come 0.1 s into bursts 3, 6 and 9.
        for at, sig in ((3.1, signal.SIGKILL), (6.1, signal.SIGKILL), (9.1, signal.SIGTERM)):
            time.sleep(max(0.0, began + at - time.monotonic()))
            rx.signal_and_wait(sig)
            time.sleep(1)
            rx.start()
        assert d.wait_exited(relp, timeout=60) == 0 and d.wait_exited(tcp, timeout=60) == 0
        wait_for_numbers(rx, "e2e-relp-kill", n, timeout=120)
        time.sleep(2)  # what TCP had not lost has arrived by now; more waiting would not bring the rest
    relp_report = analyze(numbers(rx, "e2e-relp-kill"), 1, n)
    tcp_report = analyze(numbers(rx, "e2e-tcp-kill"), 1, n)
    print(f"\n[e2e: rsyslog SIGKILL, SIGKILL, SIGTERM; {n} lines per container]\n"
          f"  relp:// lost {relp_report.missing_count}, duplicates {relp_report.duplicates} "
          f"in {len(relp_report.windows)} replayed windows\n"
          f"  tcp://  lost {tcp_report.missing_count}; {tcp_report.summary()}")
    relp_report.assert_complete(max_windows=3)
