"""Containers logging through the installed plugin to a real rsyslog over TCP, UDP and a unix socket."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from harness import docker as d
from harness import expect
from harness.receivers import free_port
from harness.rsyslog import Rsyslog

SLACK = 2.0  # seconds of clock slack around a run when checking timestamps


def within_run(t: datetime, run: d.RunResult) -> bool:
    ts = t.timestamp()
    return run.started - SLACK <= ts <= run.finished + SLACK


def test_every_line_arrives_in_order_with_the_right_header(rsyslog):
    n = 500
    run = d.run_container(["seq", "1", str(n)], {"syslog-address": rsyslog.tcp_address})
    assert run.returncode == 0, run.stderr
    assert run.stdout == "".join(f"{i}\n" for i in range(1, n + 1)).encode()  # attach is unaffected
    msgs = rsyslog.wait_for(n, timeout=60)
    assert [m["msg"] for m in msgs] == [str(i) for i in range(1, n + 1)]
    host = d.hostname()
    for m in msgs:
        assert (m["pri"], m["version"], m["hostname"], m["app_name"], m["procid"], m["msgid"],
                m["structured_data"]) == ("30", "1", host, run.tag, "-", run.tag, "-"), m
        parts = expect.parse_rfc5424((m["raw"] + "\n").encode())
        assert parts["ts"].endswith("Z") and len(parts["ts"]) == len("2026-11-26T16:16:21.143681Z"), parts["ts"]
        assert within_run(parts["time"], run), f"timestamp {parts['ts']} outside the run"


def test_stderr_lines_have_severity_err(rsyslog):
    run = d.run_container(["sh", "-c", "echo to-stdout; echo to-stderr >&2"], {"syslog-address": rsyslog.tcp_address})
    assert run.returncode == 0, run.stderr
    by_msg = {m["msg"]: m for m in rsyslog.wait_for(2)}
    assert by_msg["to-stdout"]["raw"].startswith("<30>1 ")
    assert by_msg["to-stderr"]["raw"].startswith("<27>1 ")
    assert (by_msg["to-stderr"]["facility"], by_msg["to-stderr"]["severity"]) == ("3", "3")


def test_40000_character_line_arrives_as_one_message(rsyslog):
    script = "head -c 40000 /dev/zero | tr '\\0' x; echo; echo after"
    run = d.run_container(["sh", "-c", script], {"syslog-address": rsyslog.tcp_address})
    assert run.returncode == 0, run.stderr
    rsyslog.wait_for(2)
    rsyslog.stop()  # waits until nothing more arrives: the count below is final
    msgs = rsyslog.messages()
    assert [len(m["msg"]) for m in msgs] == [40000, 5]
    assert msgs[0]["msg"] == "x" * 40000 and msgs[1]["msg"] == "after"


def test_blank_lines_are_kept(rsyslog):
    run = d.run_container(["sh", "-c", "echo first; echo; echo third"], {"syslog-address": rsyslog.tcp_address})
    assert run.returncode == 0, run.stderr
    assert [m["msg"] for m in rsyslog.wait_for(3)] == ["first", "", "third"]


@pytest.mark.parametrize("opt,value,named", [
    ("sylog-address", "tcp://127.0.0.1:514", 'logship: unknown log-opt "sylog-address"'),
    ("syslog-facility", "nope", "syslog-facility"),
])
def test_bad_option_fails_docker_run_naming_it(opt, value, named):
    run = d.run_container(["echo", "never runs"], {opt: value})
    assert run.returncode != 0
    assert named in run.stderr, run.stderr
    assert b"never runs" not in run.stdout


def test_container_starts_while_receiver_is_down(short_tmp):
    port = free_port()
    run = d.run_container(["seq", "1", "50"], {"syslog-address": f"tcp://127.0.0.1:{port}"})
    assert run.returncode == 0, run.stderr
    assert run.finished - run.started < 30, "docker run waited for the receiver"
    r = Rsyslog(short_tmp / "late", tcp_port=port).start()  # the receiver comes up after the container is gone
    try:
        msgs = r.wait_for(50, timeout=30)
        assert [m["msg"] for m in msgs] == [str(i) for i in range(1, 51)]
    finally:
        r.stop()


def test_docker_logs_still_shows_the_lines(rsyslog):
    with d.detached_container(["seq", "1", "20"], {"syslog-address": rsyslog.tcp_address}) as (name, _):
        assert d.wait_exited(name) == 0
        logs = d.docker("logs", name)
        assert logs.stdout == "".join(f"{i}\n" for i in range(1, 21)).encode()
    assert [m["msg"] for m in rsyslog.wait_for(20)] == [str(i) for i in range(1, 21)]


def test_udp_destination(rsyslog):
    run = d.run_container(["seq", "1", "20"], {"syslog-address": rsyslog.udp_address, "syslog-format": "rfc3164"})
    assert run.returncode == 0, run.stderr
    msgs = rsyslog.wait_for(20)
    assert sorted(int(m["msg"]) for m in msgs) == list(range(1, 21))  # UDP: order is not promised
    assert {(m["input"], m["programname"], m["hostname"]) for m in msgs} == {("imudp", run.tag, d.hostname())}


def test_unixgram_socket_in_the_sockets_directory(short_tmp):
    """The manifest mounts a host directory of sockets read-only at /sockets in the plugin: with its
    source set to a directory holding rsyslog's socket log.sock, the address is unixgram:///sockets/log.sock."""
    sock_dir = short_tmp / "sockets"
    sock_dir.mkdir()
    sock_dir.chmod(0o755)
    r = Rsyslog(short_tmp / "ux", unixgram_path=str(sock_dir / "log.sock")).start()
    try:
        with d.plugin_mounts({"sockets": str(sock_dir)}):
            run = d.run_container(["sh", "-c", "echo via-unixgram; echo oops >&2"], {"syslog-address": "unixgram:///sockets/log.sock"})
            assert run.returncode == 0, run.stderr
            by_msg = {m["msg"]: m for m in r.wait_for(2)}
        assert by_msg["via-unixgram"]["input"] == "imuxsock"
        assert by_msg["via-unixgram"]["pri"] == "30" and by_msg["oops"]["pri"] == "27"
        assert by_msg["via-unixgram"]["app_name"] == run.tag and by_msg["via-unixgram"]["hostname"] == d.hostname()
    finally:
        r.stop()


def test_host_wide_default_through_docker_plugin_set(rsyslog):
    before = d.plugin_env()
    with d.plugin_settings(SYSLOG_ADDRESS=rsyslog.tcp_address, SYSLOG_FORMAT="rfc3164"):
        run = d.run_container(["seq", "1", "10"])  # no log-opt at all
        assert run.returncode == 0, run.stderr
        msgs = rsyslog.wait_for(10)
        assert [m["msg"].lstrip() for m in msgs] == [str(i) for i in range(1, 11)]
        assert {m["version"] for m in msgs} == {"0"}  # the format default came from the plugin's env too
        # A per-container option still wins over the host-wide default.
        run2 = d.run_container(["echo", "own format"], {"syslog-format": "rfc5424"})
        assert run2.returncode == 0, run2.stderr
        [m] = rsyslog.wait_for(1, match=lambda m: m["msg"] == "own format")
        assert m["version"] == "1"
    assert d.plugin_env() == before, "plugin settings were not restored"
    assert d.plugin_inspect()["Enabled"]


def test_tag_option_and_facility(rsyslog):
    run = d.run_container(["echo", "tagged"], {"syslog-address": rsyslog.tcp_address, "tag": "{{.Name}}",
                                               "syslog-facility": "local4"})
    assert run.returncode == 0, run.stderr
    [m] = rsyslog.wait_for(1)
    assert (m["app_name"], m["msgid"], m["pri"]) == (run.name, expect.sanitize(run.name, 32), str(20 * 8 + 6))
