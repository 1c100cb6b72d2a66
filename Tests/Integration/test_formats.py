"""Exact bytes of every output format on every transport, checked with Python raw receivers, plus
what rsyslog (the reference receiver) makes of them."""

from __future__ import annotations

import socket

import pytest

from harness import expect
from harness.receivers import DatagramReceiver, StreamReceiver

HOST = socket.gethostname()
T = 1795709781143681123  # 2026-11-26T16:16:21.143681123Z: the entry's time, never the send time
T_EARLY = 1699000000987654321  # 2023-11-03T08:26:40Z: a one-digit day, padded with a space in rfc3164


@pytest.mark.parametrize("fmt", ["rfc5424micro", "rfc5424", "rfc3164", "unix"])
def test_syslog_formats_over_tcp(open_stream, fmt):
    with StreamReceiver() as rx:
        s = open_stream({"syslog-address": rx.address, "syslog-format": fmt})
        s.log("hello stdout", "stdout", T)
        s.log("hello stderr", "stderr", T_EARLY)
        s.finish()
        rx.wait_for_lines(2)
        tag = s.container_id[:12]
        assert rx.data() == (expect.syslog("hello stdout", T, tag, HOST, fmt, "stdout")
                             + expect.syslog("hello stderr", T_EARLY, tag, HOST, fmt, "stderr"))


def test_default_format_is_rfc5424micro_and_facility_daemon(open_stream):
    with StreamReceiver() as rx:
        s = open_stream({"syslog-address": rx.address})
        s.log("defaults", "stdout", T)
        s.finish()
        rx.wait_for_lines(1)
        assert rx.data() == b"<30>1 2026-11-26T16:16:21.143681Z " + HOST.encode() + (
            f" {s.container_id[:12]} - {s.container_id[:12]} - defaults\n").encode()


@pytest.mark.parametrize("facility,stdout_pri,stderr_pri", [("local0", 134, 131), ("kern", 6, 3), ("23", 190, 187),
                                                            ("user", 14, 11)])
def test_facility(open_stream, facility, stdout_pri, stderr_pri):
    with StreamReceiver() as rx:
        s = open_stream({"syslog-address": rx.address, "syslog-facility": facility})
        s.log("a", "stdout", T)
        s.log("b", "stderr", T)
        s.finish()
        lines = rx.wait_for_lines(2)
        assert lines[0].startswith(f"<{stdout_pri}>1 ".encode()), lines
        assert lines[1].startswith(f"<{stderr_pri}>1 ".encode()), lines


@pytest.mark.parametrize("fmt", ["rfc5424micro", "rfc3164"])
def test_octet_counted_framing(open_stream, fmt):
    with StreamReceiver() as rx:
        s = open_stream({"syslog-address": rx.address, "syslog-format": fmt, "syslog-framing": "octet-counted"})
        s.log("first", "stdout", T)
        s.log("second, longer", "stderr", T)
        s.finish()
        tag = s.container_id[:12]
        want = (expect.octet_counted(expect.syslog("first", T, tag, HOST, fmt))
                + expect.octet_counted(expect.syslog("second, longer", T, tag, HOST, fmt, "stderr")))
        rx.wait_for_lines(2)
        assert rx.data() == want


def test_udp_one_datagram_per_message(open_stream):
    with DatagramReceiver() as rx:
        s = open_stream({"syslog-address": rx.address})
        s.log_lines([f"udp {i}" for i in range(20)])
        s.finish()
        got = rx.wait_for_datagrams(20)
        tag = s.container_id[:12]
        for i, d in enumerate(got):
            # One whole message per datagram. Datagrams need no framing; Docker's own driver ends them
            # in LF anyway, so either is accepted, but nothing else.
            parts = expect.parse_rfc5424(d if d.endswith(b"\n") else d + b"\n")
            assert not parts["msg"].endswith(b"\n"), d
            assert (parts["app"], parts["msgid"], parts["host"], parts["msg"]) == (tag, tag, HOST, f"udp {i}".encode())


def test_unixgram_and_unix_stream(open_stream, short_tmp):
    with DatagramReceiver(path=str(short_tmp / "dgram.sock")) as dg, StreamReceiver(path=str(short_tmp / "stream.sock")) as st:
        a = open_stream({"syslog-address": dg.address})
        b = open_stream({"syslog-address": st.address, "syslog-format": "rfc3164"})
        a.log("over unixgram", "stdout", T)
        b.log("over unix", "stderr", T)
        a.finish()
        b.finish()
        want = expect.syslog("over unixgram", T, a.container_id[:12], HOST)
        assert dg.wait_for_datagrams(1)[0] in (want, want[:-1])  # with or without the LF (see the udp test)
        st.wait_for_lines(1)
        assert st.data() == expect.syslog("over unix", T, b.container_id[:12], HOST, "rfc3164", "stderr")


def test_rsyslog_parses_every_format(open_stream, rsyslog):
    streams = {}
    for fmt in ("rfc5424micro", "rfc5424", "rfc3164"):
        s = open_stream({"syslog-address": rsyslog.tcp_address, "syslog-format": fmt, "tag": fmt})
        s.log(f"format {fmt}", "stderr", T)
        streams[fmt] = s
    u = open_stream({"syslog-address": rsyslog.udp_address, "tag": "via-udp"})
    u.log("format udp", "stdout", T)
    g = open_stream({"syslog-address": rsyslog.unixgram_address, "tag": "via-unixgram"})
    g.log("format unixgram", "stdout", T)
    for s in [*streams.values(), u, g]:
        s.finish()
    by_app = {m["programname"]: m for m in rsyslog.wait_for(5)}
    for fmt in ("rfc5424micro", "rfc5424"):
        m = by_app[fmt]
        assert (m["pri"], m["version"], m["hostname"], m["app_name"], m["msgid"], m["procid"], m["structured_data"],
                m["msg"]) == ("27", "1", HOST, fmt, fmt, "-", "-", f"format {fmt}")
    assert by_app["rfc5424micro"]["timestamp"] in ("2026-11-26T16:16:21.143681Z", "2026-11-26T16:16:21.143681+00:00")
    assert by_app["rfc5424"]["timestamp"] in ("2026-11-26T16:16:21Z", "2026-11-26T16:16:21+00:00")
    m = by_app["rfc3164"]
    assert (m["pri"], m["hostname"], m["syslogtag"], m["msg"].lstrip()) == ("27", HOST, "rfc3164:", "format rfc3164")
    assert by_app["via-udp"]["input"] == "imudp" and by_app["via-udp"]["msg"] == "format udp"
    assert by_app["via-unixgram"]["input"] == "imuxsock" and by_app["via-unixgram"]["msg"] == "format unixgram"


@pytest.mark.parametrize("template,expected", [
    ("{{.Name}}", "logship-itest"),
    ("{{.FullID}}", "@id"),
    ("{{.ImageName}}", "logship-test-busybox"),
    ("app-{{.Name}}-{{.ID}}", "app-logship-itest-@id12"),
    ("{{.DaemonName}}", "docker"),
])
def test_tag_templates(open_stream, template, expected):
    with StreamReceiver() as rx:
        s = open_stream({"syslog-address": rx.address, "tag": template})
        s.log("x", "stdout", T)
        s.finish()
        expected = expected.replace("@id12", s.container_id[:12]).replace("@id", s.container_id)
        [line] = rx.wait_for_lines(1)
        parts = expect.parse_rfc5424(line + b"\n")
        assert parts["app"] == expect.sanitize(expected, 48)
        assert parts["msgid"] == expect.sanitize(expected, 32)


def test_tag_is_sanitized_and_truncated(open_stream):
    tag = "my app\twith spaces and a long name that goes past forty-eight characters"
    with StreamReceiver() as rx:
        s = open_stream({"syslog-address": rx.address, "tag": tag})
        s.log("x", "stdout", T)
        s.finish()
        [line] = rx.wait_for_lines(1)
        parts = expect.parse_rfc5424(line + b"\n")
        assert parts["app"] == "my_app_with_spaces_and_a_long_name_that_goes_pas"
        assert parts["msgid"] == "my_app_with_spaces_and_a_long_na"


def test_structured_data_from_labels_and_env(open_stream):
    labels = {"app": "demo", "tier": "web", "other": "not selected"}
    env = ["FOO=bar", "BAR_1=one", "SECRET=hidden", "NOEQUALS", "PATH=/bin"]
    with StreamReceiver() as rx:
        s = open_stream({"syslog-address": rx.address, "labels": "app", "labels-regex": "^ti", "env": "FOO",
                         "env-regex": "^BAR_"}, labels=labels, env=env)
        s.log("with attributes", "stdout", T)
        s.finish()
        [line] = rx.wait_for_lines(1)
        parts = expect.parse_rfc5424(line + b"\n")
        assert expect.parse_sd(parts["sd"]) == {expect.SD_ID: {"app": "demo", "tier": "web", "FOO": "bar", "BAR_1": "one"}}
        assert parts["msg"] == b"with attributes"


def test_structured_data_escaping(open_stream, rsyslog):
    value = 'a "quoted" back\\slash ]bracket'
    with StreamReceiver() as rx:
        s = open_stream({"syslog-address": rx.address, "labels": "v"}, labels={"v": value})
        r = open_stream({"syslog-address": rsyslog.tcp_address, "labels": "v", "tag": "sd"}, labels={"v": value})
        s.log("x", "stdout", T)
        r.log("x", "stdout", T)
        s.finish()
        r.finish()
        [line] = rx.wait_for_lines(1)
        assert f' {expect.structured_data({"v": value})} x'.encode() in line, line
    [m] = rsyslog.wait_for(1)
    assert m["structured_data"] == expect.structured_data({"v": value}) and m["msg"] == "x"


def test_blank_lines_are_kept(open_stream):
    with StreamReceiver() as rx, StreamReceiver() as raw:
        s = open_stream({"syslog-address": rx.address, "tcp-address": raw.address, "tcp-format": "raw"})
        s.log_lines(["before", "", "after"])
        s.finish()
        assert raw.wait_for_lines(3) == [b"before", b"", b"after"]
        lines = rx.wait_for_lines(3)
        assert [expect.parse_rfc5424(l + b"\n")["msg"] for l in lines] == [b"before", b"", b"after"]


def test_json_format(open_stream):
    info = dict(name="/web-1", image_name="registry.example/app:1.2", labels={"team": "core"},
                env=["FOO=bar", "PATH=/bin"])
    with StreamReceiver() as rx:
        s = open_stream({"tcp-address": rx.address, "labels": "team", "env": "FOO"}, **info)
        s.log('say "hi" <&> é', "stdout", T)
        s.log("oops", "stderr", T_EARLY)
        s.finish()
        lines = rx.wait_for_lines(2)
    assert len(lines) == 2  # one object per line: no raw newlines inside
    for line, (source, msg, t) in zip(lines, [("stdout", 'say "hi" <&> é', T), ("stderr", "oops", T_EARLY)]):
        keys, obj = expect.parse_json_record(line)
        assert keys == expect.JSON_KEYS
        assert obj == {
            "time": expect.ts_json(t), "host": HOST, "source": source, "container_id": s.container_id,
            "container_name": "web-1", "image_name": "registry.example/app:1.2",
            "image_id": s.info["ContainerImageID"], "tag": s.container_id[:12], "message": msg,
            "attrs": {"team": "core", "FOO": "bar"},
        }


def test_json_omits_empty_attrs_and_keeps_nine_fraction_digits(open_stream):
    with StreamReceiver() as rx:
        s = open_stream({"tcp-address": rx.address})  # json is the default tcp-format
        t = 1795709781000000000  # whole second: still nine digits
        s.log("no attributes", "stdout", t)
        s.finish()
        [line] = rx.wait_for_lines(1)
    keys, obj = expect.parse_json_record(line)
    assert keys == expect.JSON_KEYS[:-1]
    assert obj["time"] == "2026-11-26T16:16:21.000000000Z"


def test_raw_format(open_stream):
    with StreamReceiver() as rx:
        s = open_stream({"tcp-address": rx.address, "tcp-format": "raw"})
        s.log("plain line", "stdout", T)
        s.log("error line", "stderr", T)
        s.log(b"bytes \xff\xfe kept", "stdout", T)
        s.finish()
        rx.wait_for_lines(3)
        assert rx.data() == b"plain line\nerror line\nbytes \xff\xfe kept\n"


def test_gelf_format(open_stream):
    info = dict(name="/gelf-1", entrypoint="sh", args=["-c", "echo hi"], labels={"team": "core"})
    with StreamReceiver() as rx:
        s = open_stream({"tcp-address": rx.address, "tcp-format": "gelf", "labels": "team"}, **info)
        s.log("gelf out", "stdout", T)
        s.log("gelf err", "stderr", T)
        s.finish()
        records = rx.wait_for_records(2, sep=b"\0")
    assert len(records) == 2
    for rec, (msg, level) in zip(records, [("gelf out", 6), ("gelf err", 3)]):
        _, obj = expect.parse_json_record(rec)
        assert abs(obj.pop("timestamp") - T / 1e9) < 0.001
        assert obj == {
            "version": "1.1", "host": HOST, "short_message": msg, "level": level,
            "_container_id": s.container_id, "_container_name": "gelf-1", "_image_id": s.info["ContainerImageID"],
            "_image_name": "logship-test-busybox", "_command": "sh -c echo hi", "_created": s.info["ContainerCreated"],
            "_tag": s.container_id[:12], "_team": "core",
        }


def test_syslog_and_tcp_destinations_together(open_stream):
    with StreamReceiver() as sys_rx, StreamReceiver() as json_rx:
        s = open_stream({"syslog-address": sys_rx.address, "tcp-address": json_rx.address})
        s.log_lines([f"both {i}" for i in range(100)])
        s.finish()
        assert [expect.parse_rfc5424(l + b"\n")["msg"] for l in sys_rx.wait_for_lines(100)] == \
            [f"both {i}".encode() for i in range(100)]
        assert [expect.parse_json_record(l)[1]["message"] for l in json_rx.wait_for_lines(100)] == \
            [f"both {i}" for i in range(100)]
