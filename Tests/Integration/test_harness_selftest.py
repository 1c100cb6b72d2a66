"""The harness itself: these must pass before any logship test result means anything.

They need no logship binary: the frame encoder is checked against moby's own bytes, rsyslog against
`logger` and hand-made messages, and the daemon-like HTTP client against the daemon's captured
request bytes.
"""

from __future__ import annotations

import os
import socket
import subprocess
import threading

from harness import expect, frames
from harness.plugin_process import PluginClient, go_json
from harness.receivers import DatagramReceiver, StreamReceiver

# /work/shared/vectors/logentry-frame-{2,3}.bin: moby's gogo-generated encoder output.
VECTOR_ID = "0123456789abcdef" * 4
VECTOR_2 = bytes.fromhex(
    "0a0673746465727210959a97ece39fe7cb171a044141414120012a4412403031323334353637383961626364656630"
    "313233343536373839616263646566303132333435363738396162636465663031323334353637383961626364656618"
    "01"
)
VECTOR_3 = bytes.fromhex(
    "0a0673746465727210959a97ece39fe7cb1720012a460801124030313233343536373839616263646566303132333435"
    "3637383961626364656630313233343536373839616263646566303132333435363738396162636465661802"
)
FRAME_1 = bytes.fromhex(
    "0000001f0a067374646f75741095 9a97ece39fe7cb171a0b68656c6c6f20776f726c64".replace(" ", "")
)


def test_frames_match_moby_encoder():
    assert frames.frame(frames.entry("hello world", "stdout", 1700000000123456789)) == FRAME_1
    assert frames.entry("AAAA", "stderr", 1700000000123456789, VECTOR_ID, 1, last=False) == VECTOR_2
    assert frames.entry(b"", "stderr", 1700000000123456789, VECTOR_ID, 2, last=True) == VECTOR_3


def test_handmade_frames_match_moby_encoder():
    """The hand encoder (Fuzz/make_seeds.py's seeds) writes what moby's does, for what Docker sends."""
    vector_id = VECTOR_ID.encode()
    assert frames.frame(frames.handmade_entry(b"hello world", b"stdout", 1700000000123456789)) == FRAME_1
    assert frames.handmade_entry(b"AAAA", b"stderr", 1700000000123456789, vector_id, 1, last=False) == VECTOR_2
    assert frames.handmade_entry(b"", b"stderr", 1700000000123456789, vector_id, 2, last=True) == VECTOR_3


def test_line_frames_split_like_the_copier():
    # 40,000 bytes: pieces of 16384, 16384, 7232; one id, the first piece's time, last only on the end.
    line = b"y" * 40000
    got = frames.decode_frames(frames.line_frames(line, "stderr", 42))
    assert [len(e.line) for e in got] == [16384, 16384, 7232]
    assert [e.ordinal for e in got] == [1, 2, 3]
    assert [e.last for e in got] == [False, False, True]
    assert all(e.partial and e.time_nano == 42 and e.source == "stderr" for e in got)
    assert len({e.partial_id for e in got}) == 1 and len(got[0].partial_id) == 64
    # Exactly 16 KiB: a full piece, then an empty last piece.
    got = frames.decode_frames(frames.line_frames(b"x" * 16384))
    assert [(len(e.line), e.last) for e in got] == [(16384, False), (0, True)]
    # Short and empty lines are plain entries.
    got = frames.decode_frames(frames.line_frames(b"") + frames.line_frames(b"short"))
    assert [(e.line, e.partial) for e in got] == [(b"", False), (b"short", False)]


def test_write_all_times_out_when_nobody_reads(tmp_path):
    path = tmp_path / "fifo"
    os.mkfifo(path)
    fd = os.open(path, os.O_RDWR)
    try:
        try:
            frames.write_all(fd, b"x" * (1 << 20), timeout=0.5)
        except TimeoutError:
            pass
        else:
            raise AssertionError("write_all into a full FIFO did not time out")
    finally:
        os.close(fd)


def test_rsyslog_receives_from_logger_and_python(rsyslog):
    subprocess.run(["logger", "--tcp", "-n", "127.0.0.1", "-P", str(rsyslog.tcp_port), "--rfc5424",
                    "-t", "via-tcp", "tab\there"], check=True)
    subprocess.run(["logger", "--udp", "-n", "127.0.0.1", "-P", str(rsyslog.udp_port), "--rfc5424",
                    "-t", "via-udp", "hello udp"], check=True)
    subprocess.run(["logger", "-u", rsyslog.unixgram_path, "--socket-errors=on", "-t", "via-unix", "hello unix"],
                   check=True)
    micro = expect.syslog("octet counted", 1700000000123456789, "via-octet", "vm")
    legacy = expect.syslog("lf framed", 1700000000123456789, "via-lf", "vm", fmt="rfc3164", source="stderr")
    with socket.create_connection(("127.0.0.1", rsyslog.tcp_port)) as s:
        again = expect.syslog("again\nwith LF inside", 1700000000123456789, "via-octet", "vm")
        s.sendall(expect.octet_counted(micro) + expect.octet_counted(again))
    with socket.create_connection(("127.0.0.1", rsyslog.tcp_port)) as s:
        s.sendall(legacy)

    msgs = {m["app_name"]: m for m in rsyslog.wait_for(6)}
    assert msgs["via-tcp"]["msg"] == "tab#011here"  # control characters arrive escaped
    assert msgs["via-udp"]["input"] == "imudp" and msgs["via-udp"]["msg"] == "hello udp"
    assert msgs["via-unix"]["input"] == "imuxsock" and msgs["via-unix"]["msg"].strip() == "hello unix"
    octet = [m for m in rsyslog.messages() if m["app_name"] == "via-octet"]
    # Octet counting carries an LF inside a message; rsyslog escapes it, so records stay intact.
    assert [m["msg"] for m in octet] == ["octet counted", "again#012with LF inside"]
    m = octet[0]
    assert (m["pri"], m["hostname"], m["msgid"], m["structured_data"]) == ("30", "vm", "via-octet", "-")
    assert m["raw"] == micro.decode().rstrip("\n")
    assert m["timestamp"] in ("2023-11-14T22:13:20.123456Z", "2023-11-14T22:13:20.123456+00:00")
    lf = msgs["via-lf"]
    assert (lf["pri"], lf["severity"], lf["hostname"], lf["programname"]) == ("27", "3", "vm", "via-lf")


def test_rsyslog_unix_stream_input(short_tmp):
    from harness.rsyslog import Rsyslog

    r = Rsyslog(short_tmp / "rs", unix_stream_path=str(short_tmp / "stream.sock")).start()
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(r.unix_stream_path)
            s.sendall(expect.syslog("over a unix stream", 1700000000123456789, "via-stream", "vm"))
        [m] = r.wait_for(1)
        assert (m["app_name"], m["msg"]) == ("via-stream", "over a unix stream")
    finally:
        r.stop(quiet=0.3)


def test_stream_receiver_outage_and_restart():
    r = StreamReceiver()
    port = r.port
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except ConnectionRefusedError:
        pass
    else:
        raise AssertionError("receiver accepted before start()")
    r.start()
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"one\ntwo\npartial")
    r.wait_for_lines(2)
    r.stop()
    r.start()  # same port again
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"three\0four\n")
    r.wait_for_lines(3)
    r.stop()
    assert r.lines() == [b"one", b"two", b"three\0four"]
    assert r.fragments() == [b"partial"]
    assert r.connection_count == 2


def test_datagram_receivers(short_tmp):
    with DatagramReceiver() as udp, DatagramReceiver(path=str(short_tmp / "dg.sock")) as ug:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(b"a\n", ("127.0.0.1", udp.port))
            s.sendto(b"b\n", ("127.0.0.1", udp.port))
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
            s.sendto(b"c\n", ug.path)
        assert udp.wait_for_datagrams(2) == [b"a\n", b"b\n"]
        assert ug.wait_for_datagrams(1) == [b"c\n"]


def test_client_sends_the_daemons_exact_bytes(short_tmp):
    """Replays the requests captured from the daemon's transport (protocol doc §2.2)."""
    path = str(short_tmp / "capture.sock")
    captured = []
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)

    def serve():
        conn, _ = srv.accept()
        buf = b""
        for _ in range(2):
            while b"\r\n\r\n" not in buf:
                buf += conn.recv(4096)
            head, buf = buf.split(b"\r\n\r\n", 1)
            n = int([h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length:")][0].split(b":")[1])
            while len(buf) < n:
                buf += conn.recv(4096)
            captured.append(head + b"\r\n\r\n" + buf[:n])
            buf = buf[n:]
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n{}\n")
        conn.close()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    c = PluginClient(path, timeout=5)
    assert c.capabilities().json() == {}
    assert c.stop_logging("/run/docker/logging/abc").ok  # same keep-alive connection
    t.join(5)
    srv.close()
    assert captured == [
        b"POST /LogDriver.Capabilities HTTP/1.1\r\nHost: plugin.moby.localhost\r\nUser-Agent: Go-http-client/1.1\r\n"
        b"Content-Length: 0\r\nAccept: application/vnd.docker.plugins.v1.2+json\r\n\r\n",
        b"POST /LogDriver.StopLogging HTTP/1.1\r\nHost: plugin.moby.localhost\r\nUser-Agent: Go-http-client/1.1\r\n"
        b"Content-Length: 35\r\nAccept: application/vnd.docker.plugins.v1.2+json\r\n\r\n"
        b'{"File":"/run/docker/logging/abc"}\n',
    ]


def test_go_json_escapes_like_go():
    assert go_json({"a": "echo <hi> & bye", "b": "é"}) == '{"a":"echo \\u003chi\\u003e \\u0026 bye","b":"é"}\n'.encode()
