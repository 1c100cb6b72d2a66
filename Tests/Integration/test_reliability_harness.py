"""The reliability tests' own tools, checked without logship: if these are wrong, a reliability
result means nothing (a receiver that loses lines on stop, an analysis that misses a hole, a
metrics parser that accepts anything)."""

from __future__ import annotations

import os
import socket
import threading
import time

import pytest

from harness.fifo_writer import FifoWriter
from harness.hostsfile import temporary_host
from harness.metrics import parse_prometheus
from harness.receivers import StreamReceiver
from harness.sequence import analyze
from harness.waiting import wait_until


def test_sequence_analysis():
    r = analyze([1, 2, 3, 4, 5, 6, 4, 5, 6, 7, 8], 1, 8)
    assert (r.missing, r.windows, r.duplicates, r.anomalies) == ([], [(4, 6)], 3, [])
    r.assert_complete(max_windows=1)
    with pytest.raises(AssertionError, match="more than 0 replayed windows"):
        r.assert_complete(max_windows=0)
    r = analyze([1, 2, 3, 5, 6, 7, 8], 1, 9)
    assert r.missing == [(4, 4), (9, 9)] and r.missing_count == 2
    with pytest.raises(AssertionError, match="lines lost"):
        r.assert_complete(max_windows=5)
    r = analyze([1, 2, 4, 3, 5], 1, 5)
    assert r.anomalies and not r.missing  # a late arrival is reordering, not a replay
    r = analyze([1, 2, 3, 2, 9, 4, 5, 6, 7, 8, 9], 1, 9)
    assert r.anomalies  # 9 then 4..8 late
    r = analyze([1, 2, 3, 3, 3, 4], 1, 4)
    assert (r.windows, r.duplicates) == ([(3, 3), (3, 3)], 2)


def test_prometheus_parser_accepts_the_format_and_rejects_mistakes():
    good = ('# HELP a_total Things.\n# TYPE a_total counter\n'
            'a_total{destination="tcp://h:1,tcp://h:2",path="q\\"b\\\\s\\n"} 3\na_total 4\n'
            '# HELP g A gauge.\n# TYPE g gauge\n# a plain comment\ng 1.5\n')
    fams = parse_prometheus(good)
    assert fams["a_total"].type == "counter" and fams["a_total"].help == "Things."
    assert fams["a_total"].value(path='q"b\\s\n') == 3
    assert fams["a_total"].samples[0][0]["destination"] == "tcp://h:1,tcp://h:2"
    assert fams["g"].value() == 1.5
    bad = [
        "a 1\n",  # no HELP/TYPE
        "# HELP a x\n# TYPE a counter\na 1\na 2\n",  # series twice
        '# HELP a x\n# TYPE a counter\na{x="1} 1\n',  # unterminated label value
        '# HELP a x\n# TYPE a counter\na{x="1"} one\n',  # not a number
        "# HELP a x\n# TYPE a counter\na 1\n# HELP b x\n# TYPE b gauge\nb 1\n# HELP a y\n",  # split family
        "# HELP a x\n# TYPE a counter\na 1\n# HELP b x\n# TYPE b gauge\na 2\n",  # sample outside its block
        "# HELP a x\n# TYPE a counter\na 1",  # no final newline
        "# HELP a x\n# TYPE a countr\na 1\n",  # unknown type
    ]
    for text in bad:
        with pytest.raises(ValueError):
            parse_prometheus(text)


def _send_until_closed(port: int, stop_after: float) -> int:
    """A sender like logship: before each write it checks whether the peer has closed; returns how
    many lines it wrote before it saw the close."""
    s = socket.create_connection(("127.0.0.1", port))
    s.setblocking(False)
    sent = 0
    end = time.monotonic() + stop_after
    try:
        while time.monotonic() < end:
            try:
                if s.recv(1, socket.MSG_PEEK) == b"":
                    break
            except BlockingIOError:
                pass
            s.setblocking(True)
            s.sendall(b"".join(b"%d\n" % (sent + i) for i in range(100)))
            s.setblocking(False)
            sent += 100
    finally:
        s.close()
    return sent


def test_stop_draining_loses_nothing_a_careful_sender_wrote():
    rx = StreamReceiver().start()
    result = {}
    t = threading.Thread(target=lambda: result.setdefault("sent", _send_until_closed(rx.port, 20)))
    t.start()
    wait_until(lambda: rx.count() >= 200_000, 20, "lines to flow")
    endings = rx.stop_draining()
    t.join(20)
    assert endings == ["eof"], endings  # the sender saw our FIN and closed
    assert rx.count() == result["sent"], f"sent {result['sent']}, received {rx.count()}"
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", rx.port), timeout=1)
    rx.start()  # the same port again
    with socket.create_connection(("127.0.0.1", rx.port)) as s:
        s.sendall(b"after\n")
    rx.wait_for_lines(result["sent"] + 1)
    rx.stop()


def test_idle_connection_is_closed_after_the_quiet_period():
    rx = StreamReceiver().start()
    with socket.create_connection(("127.0.0.1", rx.port)) as s:
        s.sendall(b"one\n")
        rx.wait_for_lines(1)
        began = time.monotonic()
        assert rx.stop_draining(quiet=0.3) == ["quiet"]
        assert 0.25 < time.monotonic() - began < 5
        assert s.recv(10) == b""  # the sender sees an orderly close


def test_rate_limited_receiver_reads_at_its_rate():
    rx = StreamReceiver(rate=500_000).start()
    data = b"x" * 99 + b"\n"
    with socket.create_connection(("127.0.0.1", rx.port)) as s:
        began = time.monotonic()
        s.sendall(data * 5000)  # 500 KB; the small receive buffer makes sendall itself wait
        rx.wait_for_lines(5000, timeout=10)
        took = time.monotonic() - began
    rx.stop()
    assert 0.8 < took < 3, f"500 KB at 500 KB/s took {took:.2f}s"


def test_fifo_writer_times_a_stall_and_gives_up_cleanly(short_tmp):
    path = short_tmp / "fifo"
    os.mkfifo(path)
    fd = os.open(path, os.O_RDWR)
    try:
        w = FifoWriter(fd, [b"x" * 65536] * 64, stall_timeout=0.5).start()  # 4 MiB into a 64 KiB pipe
        wait_until(lambda: w.done, 5, "the writer to give up")
        assert w.error and "no progress" in w.error
        assert w.written >= 65536 and w.idle_for() >= 0.4
        with pytest.raises(AssertionError, match="writer failed"):
            w.join(1)
    finally:
        os.close(fd)


def test_hosts_entry_rewrites_in_place_and_restores_exactly(short_tmp):
    hosts = short_tmp / "hosts"
    original = b"127.0.0.1 localhost\n# comment without a final newline"
    hosts.write_bytes(original)
    inode = hosts.stat().st_ino
    with temporary_host("127.0.0.2", path=str(hosts)) as h:
        assert hosts.read_bytes().endswith(f"\n127.0.0.2 {h.name}\n".encode())
        h.point("127.0.0.3")
        assert hosts.read_bytes().endswith(f"\n127.0.0.3 {h.name}\n".encode())
        assert hosts.read_bytes().count(h.name.encode()) == 1
        assert hosts.stat().st_ino == inode
    assert hosts.read_bytes() == original and hosts.stat().st_ino == inode


def test_hosts_entries_of_concurrent_runs_do_not_undo_each_other(short_tmp):
    hosts = short_tmp / "hosts"
    original = b"127.0.0.1 localhost\n"
    hosts.write_bytes(original)
    with temporary_host("127.0.0.2", path=str(hosts)) as a:
        with temporary_host("127.0.0.2", path=str(hosts)) as b:
            a.point("127.0.0.3")  # a re-points while b's line is in the file
            text = hosts.read_bytes()
            assert f"127.0.0.3 {a.name}".encode() in text and f"127.0.0.2 {b.name}".encode() in text
            a.remove()  # a finishes first
            assert b.name.encode() in hosts.read_bytes()
    assert hosts.read_bytes() == original
