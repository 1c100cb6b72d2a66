"""TLS next to plain TCP, in the same run and through the same receivers: every line arrives (zero
loss) either way, and the lines/s of each are printed (`pytest -s`; scripts/bench-tls.sh runs this
with more lines). No speed is asserted: that would fail on a busy machine, not on a slow plugin.

Receivers: rsyslog (one instance, a plain imtcp input and an OpenSSL-driver TLS input, LF framing on
both so that TLS is the only difference) and Python sinks (plain and TLS) that only count bytes, so
the plugin's own cost dominates."""

from __future__ import annotations

import os
import time

import pytest

from harness.receivers import StreamReceiver
from harness.rsyslog_tls import TLSRsyslog
from harness.tls_fixtures import certs_dir, frames_for, numbered, pki, tls_options, tls_plugin  # noqa: F401
from harness.tls_receiver import TLSStreamReceiver
from harness.waiting import wait_until

N = int(os.environ.get("LOGSHIP_TLS_BENCH_LINES", "200000"))
results: list[tuple[str, str, int, float, int]] = []


def timed_stream(plugin, open_stream, options, arrived) -> float:
    """Seconds from the first frame written to the last line arrived."""
    data = frames_for(N, "bench")
    s = open_stream(options, on=plugin)
    started = time.monotonic()
    s.write(data, timeout=300)
    s.finish()
    wait_until(arrived, 300, f"{N} lines", interval=0.02)
    return time.monotonic() - started


def report(receiver: str, transport: str, seconds: float, payload_bytes: int) -> None:
    results.append((receiver, transport, N, seconds, payload_bytes))
    print(f"\n{receiver:8} {transport:5} {N} lines in {seconds:6.2f} s = {N / seconds:9,.0f} lines/s, "
          f"{payload_bytes / seconds / 1e6:6.1f} MB/s of messages")


@pytest.mark.slow
@pytest.mark.parametrize("transport", ["tcp", "tls"])
def test_rsyslog_plain_and_tls(transport, pki, certs_dir, tls_plugin, open_stream, short_tmp):
    rx = TLSRsyslog(short_tmp / "rx", "ossl", pki.ca.cert, pki.server).start()
    try:
        options = ({"syslog-address": rx.tcp_address} if transport == "tcp"
                   else tls_options("syslog-address", rx.tls_address, pki, certs_dir))
        options |= {"syslog-framing": "non-transparent", "tag": "bench"}
        last = numbered(N, "bench")[-1].encode()
        seconds = timed_stream(tls_plugin, open_stream, options, lambda: last in rx.output_bytes()[-4096:])
    finally:
        rx.stop(quiet=0.3)
    messages = [m for m in rx.messages() if m["app_name"] == "bench"]
    assert [m["msg"] for m in messages] == numbered(N, "bench")
    report("rsyslog", transport, seconds, sum(len(m["raw"]) + 1 for m in messages))


@pytest.mark.slow
@pytest.mark.parametrize("transport", ["tcp", "tls"])
def test_python_sink_plain_and_tls(transport, pki, certs_dir, tls_plugin, open_stream):
    rx = TLSStreamReceiver(pki.server) if transport == "tls" else StreamReceiver()
    with rx:
        options = ({"tcp-address": rx.address} if transport == "tcp"
                   else tls_options("tcp-address", rx.address, pki, certs_dir))
        options |= {"tcp-format": "json"}
        seconds = timed_stream(tls_plugin, open_stream, options, lambda: rx.count() >= N)
        data = rx.data()
    lines = data.split(b"\n")[:-1]
    assert len(lines) == N and lines[-1].count(b'"message":"bench ') == 1
    assert [line[line.index(b'"message":"') + 11:line.index(b'"message":"') + 23] for line in lines] == [
        f"bench {i:06d}".encode() for i in range(N)]
    report("python", transport, seconds, len(data))
