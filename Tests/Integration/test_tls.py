"""tcp+tls to real receivers: rsyslog with both of its TLS drivers (gtls: GnuTLS, ossl: OpenSSL),
TLS 1.2 and 1.3, server authentication and mutual TLS, and syslog-ng; 200,000 lines each with zero
loss, and streams started and stopped repeatedly (each time the connection is closed and opened
again) without loss and without the receiver ever seeing an unclean end of a session."""

from __future__ import annotations

import pytest

from harness.rsyslog_tls import TLSRsyslog
from harness.syslog_ng import SyslogNG
from harness.tls_fixtures import (  # noqa: F401  (pytest fixtures)
    certs_dir, connect_count, frames_for, numbered, pki, tls_options, tls_plugin, wait_until_disconnected,
)
from harness.waiting import wait_until

N = 200_000
TAG = "tls-itest"

RSYSLOG_CASES = [(driver, version, mutual) for driver in ("gtls", "ossl") for version in ("1.2", "1.3")
                 for mutual in (False, True)]


def case_id(case) -> str:
    driver, version, mutual = case
    return f"{driver}-tls{version}-{'mutual' if mutual else 'server-auth'}"


def wait_for_text(read_bytes, text: str, timeout: float = 120.0) -> None:
    """Wait until `text` (the last line sent) has reached the receiver's output file."""
    wait_until(lambda: text.encode() in read_bytes(), timeout, f"{text!r} at the receiver", interval=0.25)


def stream(plugin, open_stream, options: dict[str, str], n: int, prefix: str = "line") -> None:
    """One container's stream as the daemon drives it: StartLogging, n lines, StopLogging, close."""
    s = open_stream({**options, "tag": TAG}, on=plugin)
    s.write(frames_for(n, prefix), timeout=120)
    s.finish()


@pytest.mark.slow
@pytest.mark.parametrize("case", RSYSLOG_CASES, ids=case_id)
def test_rsyslog_receives_every_line(case, pki, certs_dir, tls_plugin, open_stream, short_tmp):
    driver, version, mutual = case
    rx = TLSRsyslog(short_tmp / "rx", driver, pki.ca.cert, pki.server, tls_version=version, client_auth=mutual,
                    probe_client=pki.client).start()
    try:
        stream(tls_plugin, open_stream, tls_options("syslog-address", rx.tls_address, pki, certs_dir, client=mutual), N)
        wait_for_text(rx.output_bytes, numbered(N)[-1])
        wait_until_disconnected(rx.tls_port)
    finally:
        rx.stop(quiet=0.3)
    assert [m["msg"] for m in rx.messages() if m["app_name"] == TAG] == numbered(N)
    assert rx.unclean_closes() == []


@pytest.mark.slow
@pytest.mark.parametrize("source,version,mutual", [("syslog", "1.3", False), ("network", "1.2", True)],
                         ids=["syslog-tls1.3-server-auth", "network-tls1.2-mutual"])
def test_syslog_ng_receives_every_line(source, version, mutual, pki, certs_dir, tls_plugin, open_stream, short_tmp):
    rx = SyslogNG(short_tmp / "sng", pki.ca.cert, pki.server, source=source, tls_version=version, client_auth=mutual,
                  probe_client=pki.client).start()
    try:
        options = tls_options("syslog-address", rx.tls_address, pki, certs_dir, client=mutual)
        if source == "network":
            options["syslog-framing"] = "non-transparent"  # network() reads LF-terminated messages
        stream(tls_plugin, open_stream, options, N)
        wait_for_text(rx.output_bytes, numbered(N)[-1])
        wait_until_disconnected(rx.port)
    finally:
        rx.stop(quiet=0.3)
    assert rx.messages() == numbered(N)
    assert rx.unclean_closes() == []


CYCLES = 10


def run_cycles(plugin, open_stream, options, read_bytes, port) -> None:
    """CYCLES streams one after the other, each waiting for the previous one's connection to close,
    so every stream opens a new TLS session and every session is closed by the plugin."""
    per_cycle = N // CYCLES
    before = connect_count(plugin)
    for cycle in range(CYCLES):
        stream(plugin, open_stream, options, per_cycle, prefix=f"cycle {cycle:02d}")
        wait_for_text(read_bytes, numbered(per_cycle, f"cycle {cycle:02d}")[-1])
        wait_until_disconnected(port)
    assert connect_count(plugin) - before == CYCLES, plugin.stderr_text()[-2000:]


def expected_cycles() -> list[str]:
    return [line for cycle in range(CYCLES) for line in numbered(N // CYCLES, f"cycle {cycle:02d}")]


@pytest.mark.slow
@pytest.mark.parametrize("driver", ["gtls", "ossl"])
def test_rsyslog_streams_stopped_and_started_again_lose_nothing(driver, pki, certs_dir, tls_plugin, open_stream, short_tmp):
    rx = TLSRsyslog(short_tmp / "rx", driver, pki.ca.cert, pki.server).start()
    try:
        options = tls_options("syslog-address", rx.tls_address, pki, certs_dir)
        run_cycles(tls_plugin, open_stream, options, rx.output_bytes, rx.tls_port)
    finally:
        rx.stop(quiet=0.3)
    assert [m["msg"] for m in rx.messages() if m["app_name"] == TAG] == expected_cycles()
    assert rx.unclean_closes() == []


@pytest.mark.slow
def test_syslog_ng_streams_stopped_and_started_again_lose_nothing(pki, certs_dir, tls_plugin, open_stream, short_tmp):
    rx = SyslogNG(short_tmp / "sng", pki.ca.cert, pki.server).start()
    try:
        options = tls_options("syslog-address", rx.tls_address, pki, certs_dir)
        run_cycles(tls_plugin, open_stream, options, rx.output_bytes, rx.port)
    finally:
        rx.stop(quiet=0.3)
    assert rx.messages() == expected_cycles()
    assert rx.unclean_closes() == []
