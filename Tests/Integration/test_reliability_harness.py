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
from harness.hostsfile import HostsFileNotWritable, temporary_host
from harness.metrics import parse_prometheus
from harness.receivers import StreamReceiver
from harness.sequence import analyze, wait_complete
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


class FixedLines:
    """A receiver that has received `lines` and nothing more."""

    def __init__(self, lines: list[bytes]):
        self._lines = lines

    def count(self) -> int:
        return len(self._lines)

    def lines(self) -> list[bytes]:
        return self._lines


def test_wait_complete_returns_once_every_number_arrived_and_names_what_is_lost():
    def ints(lines):
        return [int(l) for l in lines]

    wait_complete([FixedLines([b"1", b"3"]), FixedLines([b"2"])], 1, 3, ints, timeout=5, stall=1)
    with pytest.raises(AssertionError, match=r"nothing arrived for 0s waiting for lines 1\.\.4: .*missing"):
        wait_complete([FixedLines([b"1", b"2", b"2", b"3"])], 1, 4, ints, timeout=5, stall=0.1, interval=0.05)


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


def test_a_hosts_file_that_cannot_be_rewritten_fails_the_test_with_the_reason(short_tmp):
    """The DNS tests fail, never skip, where they cannot edit the file: the error says why."""
    missing = short_tmp / "no-hosts"
    with pytest.raises(HostsFileNotWritable, match=f"{missing} cannot be rewritten in place here .*No such file"):
        with temporary_host("127.0.0.2", path=str(missing)):
            pass


# -- the tools of the issue 8 tests ------------------------------------------------------------------------
def test_paused_receiver_reads_nothing_until_resumed():
    rx = StreamReceiver(paused=True).start()
    data = b"y" * 99 + b"\n"
    result = {}

    def send():
        with socket.create_connection(("127.0.0.1", rx.port)) as s:
            s.settimeout(30)
            s.sendall(data * 100_000)  # 10 MB: far more than the buffers hold
            result["done"] = True

    t = threading.Thread(target=send, daemon=True)
    t.start()
    wait_until(lambda: rx.connection_count == 1, 5, "the connection")
    time.sleep(1)  # the pause itself (not a wait for a result): the sender must stay stuck meanwhile
    assert rx.count() == 0 and "done" not in result, "a paused receiver read something"
    rx.resume()
    rx.wait_for_lines(100_000, timeout=20)
    t.join(10)
    rx.stop()
    assert rx.data() == data * 100_000


def test_fifo_writer_tells_a_stall_inside_a_window_from_one_outside(short_tmp):
    path = short_tmp / "fifo"
    os.mkfifo(path)
    fd = os.open(path, os.O_RDWR)
    reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    stop = threading.Event()
    paused = threading.Event()

    def drain():
        while not stop.is_set():
            if paused.is_set():
                time.sleep(0.01)
                continue
            try:
                os.read(reader, 1 << 16)
            except BlockingIOError:
                time.sleep(0.001)

    t = threading.Thread(target=drain, daemon=True)
    t.start()
    try:
        w = FifoWriter(fd, [b"z" * 32768] * 200, interval=0.01).start()
        wait_until(lambda: w.chunks_done >= 50, 10, "50 chunks")
        paused.set()
        began = time.monotonic()
        wait_until(lambda: w.idle_for() > 1.2, 10, "the writer to block")
        paused.clear()
        ended = time.monotonic()
        w.join(20)
        assert w.longest > 1.0
        assert w.longest_outside([(began, ended)]) < 0.5
    finally:
        stop.set()
        t.join(5)
        os.close(reader)
        os.close(fd)


def test_pipe_sizes_reads_every_pipe_of_a_process():
    from harness.procfs import F_GETPIPE_SZ, pipe_sizes, rss_bytes
    import fcntl
    r, w = os.pipe()
    try:
        fcntl.fcntl(w, F_GETPIPE_SZ - 1, 1 << 20)  # F_SETPIPE_SZ
        sizes = pipe_sizes(os.getpid())
        assert sizes[r][1] == sizes[w][1] == 1 << 20
        assert sizes[r][0].startswith("pipe:")
        assert rss_bytes(os.getpid()) > 1 << 20
    finally:
        os.close(r)
        os.close(w)


def test_long_lines_show_a_lost_head_a_cut_and_a_splice():
    from harness.lines import LongLineReport, awk_long_lines, check_long, digits_long_line, long_line
    import shutil
    import subprocess
    for make in (long_line, digits_long_line):
        a, b = make("s", 7, 40_000), make("s", 8, 40_000)
        assert check_long(a, make) == ("s", 7)
        for bad, why in ((a[16384:], "no header"), (a[:30_000], "cut"), (a[:20_000] + b[20_000:], "content")):
            with pytest.raises(ValueError, match=why):
                check_long(bad, make)
    report = LongLineReport([long_line("s", 1, 20_000), long_line("s", 1, 20_000), long_line("s", 3, 20_000)[5:]])
    assert report.missing("s", 3) == [2, 3] and report.duplicates("s") == 1 and len(report.bad) == 1
    busybox = shutil.which("busybox")
    if busybox:  # the e2e containers print these with busybox awk: the same bytes
        script = awk_long_lines("c1", 3, 20_480, pause_us=1000).replace("usleep ", "sleep 0.00")
        out = subprocess.run([busybox, "sh", "-c", script], capture_output=True, check=True).stdout
        assert out.split(b"\n")[:-1] == [digits_long_line("c1", i, 20_480) for i in (1, 2, 3)]


def test_framing_parsers_reject_a_mixed_connection():
    from harness.framings import parse_gelf, parse_lf_lines, parse_octet_counted
    gelf = b'{"version":"1.1","short_message":"a"}\0'
    assert parse_gelf(gelf * 2) == [b"a", b"a"]
    assert parse_lf_lines(b"a\nb\n") == [b"a", b"b"]
    msg = b"<30>1 2026-01-01T00:00:00Z h t - t - hello\n"
    assert parse_octet_counted(b"%d " % len(msg) + msg) == [b"hello"]
    for parse, data in ((parse_gelf, gelf + b"raw\n"), (parse_lf_lines, b"raw\n" + gelf + b"\n"),
                        (parse_octet_counted, b"%d " % len(msg) + msg + msg)):
        with pytest.raises(AssertionError):
            parse(data)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_tmpfs_fills_up_grows_and_is_unmounted(short_tmp):
    from harness.tmpfs import is_mountpoint, mounted_tmpfs
    with mounted_tmpfs(short_tmp / "small", "1m") as fs:
        with pytest.raises(OSError):
            (fs.path / "big").write_bytes(b"x" * (2 << 20))
        fs.resize("4m")
        (fs.path / "big").write_bytes(b"x" * (2 << 20))
    assert not is_mountpoint(short_tmp / "small")
