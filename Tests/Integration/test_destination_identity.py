"""Issue 8: two streams that name the same address with different framings never share a connection.

A destination is where bytes go *and* how they are framed: GELF messages end in NUL, raw lines and
non-transparent syslog in LF, octet-counted syslog is `LEN SP MSG`. Today destinations are keyed by
address alone, so a GELF stream and a raw stream to one `tcp-address` share a queue and a
connection, and the receiver gets NUL-terminated JSON and bare lines on one socket, which no GELF
or line input can parse. After the fix each framing has its own destination (and connection), and
/metrics tells them apart.

The receiver keeps each connection's bytes separately; every connection must parse completely
under one framing, and every line of every stream must arrive. Some lines are 40 KiB (rebuilt from
Docker's 16 KiB pieces), so a framing bug in a long message shows too.
"""

from __future__ import annotations

import pytest

from harness import frames
from harness.fifo_writer import FifoWriter
from harness.framings import LF, NUL, describe, parse_gelf, parse_lf_lines, parse_non_transparent, parse_octet_counted
from harness.lines import numbered
from harness.metrics import destination_labels
from harness.sequence import analyze
from harness.waiting import wait_until

N = 4000
LONG_EVERY, LONG_WIDTH, WIDTH = 500, 40_000, 60


def line(prefix: str, i: int) -> bytes:
    return numbered(prefix, i, LONG_WIDTH if i % LONG_EVERY == 0 else WIDTH)


def chunks(prefix: str) -> list[bytes]:
    return [b"".join(frames.line_frames(line(prefix, i)) for i in range(a, min(a + 100, N + 1)))
            for a in range(1, N + 1, 100)]


def number_of(message: bytes, prefix: str) -> int:
    """The number of a message that must be exactly `line(prefix, i)`; AssertionError otherwise."""
    p = prefix.encode()
    if not message.startswith(p) or not message[len(p):len(p) + 7].isdigit():
        raise AssertionError(f"not a {prefix} line: {message[:60]!r}")
    i = int(message[len(p):len(p) + 7])
    if message != line(prefix, i):
        raise AssertionError(f"{prefix}{i} arrived changed ({len(message)} bytes): {message[:60]!r}")
    return i


CASES = {
    # case: [(prefix, options, parser for its connections, how its connections start)]
    "gelf-and-raw": [("G", {"tcp-format": "gelf"}, parse_gelf, b"{"),
                     ("R", {"tcp-format": "raw"}, parse_lf_lines, b"R")],
    "syslog-octet-counted-and-non-transparent": [
        ("O", {"syslog-framing": "octet-counted", "syslog-format": "rfc5424"}, parse_octet_counted, b"0123456789"),
        ("N", {"syslog-framing": "non-transparent", "syslog-format": "rfc5424"}, parse_non_transparent, b"<")],
}


@pytest.mark.parametrize("case", list(CASES))
def test_two_framings_on_one_address_never_share_a_connection(metered, stream_on, receivers, case):
    """Two streams to one address with different framings (GELF and raw on a tcp-address; octet-counted
    and non-transparent syslog on a syslog-address): every connection the receiver gets parses
    completely under one framing, every line of both streams arrives, and /metrics shows two
    destinations for the address. Today both streams share one connection and it mixes framings."""
    p, m = metered()
    rx = receivers().start()
    kinds = CASES[case]
    key = "tcp-address" if case == "gelf-and-raw" else "syslog-address"
    streams = {prefix: stream_on(p, {key: rx.address, **opts}) for prefix, opts, _, _ in kinds}
    writers = [FifoWriter(streams[prefix].fd, chunks(prefix), interval=0.01, name=f"writer-{prefix}").start()
               for prefix, _, _, _ in kinds]
    for w in writers:
        w.join(60)
    wait_until(lambda: rx.count(LF) + rx.count(NUL) >= 2 * N or None, 30, "every message to arrive",
               describe=lambda: describe(rx.connections()))
    host_port = rx.address.split("://", 1)[1]
    labels = destination_labels(m.metrics(), host_port)
    for s in streams.values():
        s.finish()
    rx.stop_draining()
    conns = [c for c in rx.connections() if c]
    print(f"\n[{case}] {len(conns)} connections: {describe(conns)}; destination labels for {host_port}: {sorted(labels)}")

    got: dict[str, list[int]] = {prefix: [] for prefix, _, _, _ in kinds}
    for k, data in enumerate(conns):
        matches = [(prefix, parse) for prefix, _, parse, starts in kinds if data[:1] and data[:1] in starts]
        assert len(matches) == 1, f"connection {k} starts with {data[:24]!r}: no framing of this test starts so"
        prefix, parse = matches[0]
        try:
            messages = parse(data)
            nums = [number_of(msg, prefix) for msg in messages]
        except AssertionError as e:
            raise AssertionError(f"connection {k} (starts like {prefix}'s framing) mixes framings or streams: {e}") \
                from None
        got[prefix].extend(nums)
    for prefix, nums in got.items():
        r = analyze(nums, 1, N)
        assert not r.missing and not r.anomalies and r.duplicates == 0, f"stream {prefix}: {r.summary()}"
    assert len(labels) == 2, f"one address with two framings must be two destinations in /metrics: {sorted(labels)}"
