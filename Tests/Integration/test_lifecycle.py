"""Stream lifecycle: draining after StopLogging, EOF without StopLogging, shared destinations,
and a receiver that is down when the container starts."""

from __future__ import annotations

import time

from harness.receivers import StreamReceiver

RAW = {"tcp-format": "raw"}


def numbered(n, prefix="line"):
    return [f"{prefix} {i:06d}".encode() for i in range(n)]


def test_reads_fifo_after_stop_logging_until_it_closes(open_stream):
    """The daemon sends StopLogging while its descriptor is open and data may still be in the pipe
    (§4.4): the plugin must answer at once and keep reading until EOF."""
    lines = numbered(5000)  # ~60 KiB of frames: much of it is still in the pipe at StopLogging
    with StreamReceiver() as rx:
        s = open_stream({"tcp-address": rx.address, **RAW})
        s.log_lines(lines)
        stop = s.stop_logging()
        assert stop.ok and stop.elapsed < 2, f"StopLogging: {stop.status} after {stop.elapsed:.1f}s"
        s.close()
        assert rx.wait_for_lines(len(lines)) == lines


def test_frames_written_after_stop_logging_are_delivered(open_stream):
    """Until the FIFO closes it is live: whatever is in it, before or after StopLogging, is the container's."""
    with StreamReceiver() as rx:
        s = open_stream({"tcp-address": rx.address, **RAW})
        s.log("before stop")
        assert s.stop_logging().ok
        s.log("after stop, before close")
        s.close()
        assert rx.wait_for_lines(2) == [b"before stop", b"after stop, before close"]


def test_eof_without_stop_logging_ends_the_stream(open_stream, plugin):
    """dockerd exiting with live-restore closes the FIFO without StopLogging (§1.5)."""
    lines = numbered(1000)
    with StreamReceiver() as rx:
        s = open_stream({"tcp-address": rx.address, **RAW})
        s.log_lines(lines)
        s.close()
        assert rx.wait_for_lines(len(lines)) == lines
    # A later StopLogging for that (gone) stream still gets an answer.
    r = s.client.stop_logging(s.path)
    assert r.status == 200


def test_two_streams_share_one_destination(open_stream, rsyslog):
    a = open_stream({"syslog-address": rsyslog.tcp_address, "tag": "stream-a"})
    b = open_stream({"syslog-address": rsyslog.tcp_address, "tag": "stream-b"})
    for i in range(0, 500, 50):  # interleave the two streams' writes
        a.log_lines([f"a {j}" for j in range(i, i + 50)])
        b.log_lines([f"b {j}" for j in range(i, i + 50)], "stderr")
    a.finish()
    b.finish()
    msgs = rsyslog.wait_for(1000)
    assert len(msgs) == 1000
    assert [m["msg"] for m in msgs if m["app_name"] == "stream-a"] == [f"a {j}" for j in range(500)]
    assert [m["msg"] for m in msgs if m["app_name"] == "stream-b"] == [f"b {j}" for j in range(500)]
    assert {m["severity"] for m in msgs if m["app_name"] == "stream-b"} == {"3"}


def test_destination_down_at_start_gets_everything_when_it_comes_up(open_stream):
    rx = StreamReceiver()  # port chosen, nothing listening yet
    lines = numbered(300)
    s = open_stream({"tcp-address": rx.address, **RAW})
    assert s.responses[0].elapsed < 2, "StartLogging must not wait for the destination"
    s.log_lines(lines)
    s.finish()  # the container is gone before its receiver ever came up
    time.sleep(2)  # the outage itself (not a wait for a result): the first connection attempts fail
    rx.start()
    try:
        # Reconnect backoff is capped at about 5 s: everything must arrive well within 20 s.
        assert rx.wait_for_lines(len(lines), timeout=20) == lines
    finally:
        rx.stop()


def test_destination_down_for_a_while(open_stream):
    """Lines logged while the receiver is down are queued, then delivered in order once it is up."""
    rx = StreamReceiver()
    s = open_stream({"tcp-address": rx.address, **RAW})
    s.log_lines(numbered(100, "early"))
    time.sleep(3)  # the outage itself (not a wait for a result): a few reconnect attempts fail meanwhile
    s.log_lines(numbered(100, "late"))
    rx.start()
    try:
        assert rx.wait_for_lines(200, timeout=20) == numbered(100, "early") + numbered(100, "late")
    finally:
        s.finish()
        rx.stop()


def test_many_streams_stop_in_any_order(open_stream):
    with StreamReceiver() as rx:
        streams = [open_stream({"tcp-address": rx.address, **RAW, "tag": f"s{i}"}) for i in range(10)]
        for i, s in enumerate(streams):
            s.log_lines([f"s{i} {j}" for j in range(20)])
        for s in reversed(streams):
            assert s.finish().ok
        lines = rx.wait_for_lines(200)
        for i in range(10):
            assert [l for l in lines if l.startswith(f"s{i} ".encode())] == [f"s{i} {j}".encode() for j in range(20)]


def test_plugin_serves_after_streams_end(plugin, open_stream):
    with StreamReceiver() as rx:
        s = open_stream({"syslog-address": rx.address})
        s.log("one")
        s.finish()
        rx.wait_for_lines(1)
    assert plugin.client().capabilities().status == 200
    assert plugin.alive()


def test_sigterm_exits_promptly(start_plugin, open_stream):
    """Docker sends SIGTERM at `docker plugin disable` and SIGKILLs after 10 s."""
    p = start_plugin()
    with StreamReceiver() as rx:
        s = open_stream({"tcp-address": rx.address, **RAW}, on=p)
        s.log("before shutdown")
        rx.wait_for_lines(1)
        s.finish()
    began = time.monotonic()
    p.stop(timeout=10)  # SIGTERM, then SIGKILL after 10 s
    assert time.monotonic() - began < 9, "logship needed Docker's SIGKILL to exit"
