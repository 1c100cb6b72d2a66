"""Option validation at StartLogging (the only place a typo can be rejected) and host-wide defaults."""

from __future__ import annotations

import pytest

from harness import expect
from harness.plugin_process import DaemonStream, make_info
from harness.receivers import DatagramReceiver, StreamReceiver

DEAD = "tcp://127.0.0.1:9"  # nothing listens there; StartLogging must not care


def start(plugin, short_tmp, config):
    s = DaemonStream(plugin.client(), short_tmp, make_info(config))
    resp = s.start()
    if resp.ok:
        s.finish()
    else:
        s.close()
    return resp


def test_unknown_option_is_rejected_by_name(plugin, short_tmp):
    resp = start(plugin, short_tmp, {"sylog-address": DEAD})
    assert not resp.ok
    assert 'logship: unknown log-opt "sylog-address"' in resp.err, resp.err


@pytest.mark.parametrize("key,value", [
    ("syslog-facility", "nope"),
    ("syslog-facility", "24"),
    ("syslog-format", "rfc9999"),
    ("syslog-address", "ftp://127.0.0.1:514"),
    ("syslog-address", "tcp://127.0.0.1:notaport"),
    ("syslog-framing", "crlf"),
    ("tcp-format", "xml"),
    ("max-line-size", "lots"),
    ("labels-regex", "("),
    ("env-regex", "[a-"),
    ("tag", "{{.ID"),
])
def test_bad_value_is_rejected_naming_the_option(plugin, short_tmp, key, value):
    config = {key: value}
    if key not in ("syslog-address",):
        config["syslog-address"] = DEAD
    resp = start(plugin, short_tmp, config)
    assert not resp.ok, f"{key}={value!r} was accepted"
    assert key in resp.err, f"error for {key}={value!r} does not name the option: {resp.err!r}"


def test_every_documented_option_is_accepted(plugin, short_tmp):
    config = {
        "syslog-address": DEAD, "syslog-facility": "local3", "syslog-format": "rfc5424",
        "syslog-framing": "octet-counted", "tag": "{{.Name}}/{{.ID}}", "labels": "a,b", "labels-regex": "^x",
        "env": "FOO", "env-regex": "^BAR", "tcp-address": "tcp://127.0.0.1:9", "tcp-format": "gelf",
        "max-line-size": "64k",
    }
    resp = start(plugin, short_tmp, config)
    assert resp.ok, resp.err


@pytest.mark.parametrize("facility", ["kern", "user", "local7", "0", "23"])
def test_facility_names_and_numbers(plugin, short_tmp, facility):
    assert start(plugin, short_tmp, {"syslog-address": DEAD, "syslog-facility": facility}).ok


@pytest.mark.parametrize("address", ["udp://127.0.0.1:514", "tcp://127.0.0.1", "unix:///tmp/nonexistent.sock",
                                     "unixgram:///tmp/nonexistent.sock", "tcp://localhost:5514"])
def test_addresses_are_accepted_without_dialing(plugin, short_tmp, address):
    # A receiver that is down (or a socket that does not exist yet) must not stop a container.
    resp = start(plugin, short_tmp, {"syslog-address": address})
    assert resp.ok, resp.err
    assert resp.elapsed < 2


def test_options_docker_handles_itself_pass_through(plugin, short_tmp):
    config = {
        "syslog-address": DEAD, "mode": "non-blocking", "max-buffer-size": "4m", "cache-disabled": "false",
        "cache-max-size": "20m", "cache-max-file": "5", "cache-compress": "true", "max-size": "10m",
        "max-file": "3", "compress": "true",
    }
    resp = start(plugin, short_tmp, config)
    assert resp.ok, resp.err


def test_host_wide_default_from_environment(start_plugin, short_tmp, rsyslog):
    p = start_plugin({"SYSLOG_ADDRESS": rsyslog.tcp_address, "SYSLOG_FORMAT": "rfc3164", "TAG": "{{.Name}}"})
    s = DaemonStream(p.client(), short_tmp, make_info({}, name="/from-env"))
    assert s.start().ok
    s.log("configured by the environment")
    s.finish()
    [m] = rsyslog.wait_for(1)
    assert m["raw"].startswith("<30>") and m["version"] == "0", m  # rfc3164: no version field
    assert m["programname"] == "from-env" and m["msg"].strip() == "configured by the environment"


def test_per_container_option_wins_over_environment(start_plugin, short_tmp, rsyslog):
    p = start_plugin({"SYSLOG_ADDRESS": DEAD, "SYSLOG_FACILITY": "local0"})
    s = DaemonStream(p.client(), short_tmp, make_info({"syslog-address": rsyslog.tcp_address,
                                                        "syslog-facility": "user"}))
    assert s.start().ok
    s.log("per-container")
    s.finish()
    [m] = rsyslog.wait_for(1)
    assert m["pri"] == str(1 * 8 + 6) and m["msg"] == "per-container"


def test_none_turns_off_a_host_wide_default(start_plugin, short_tmp, rsyslog):
    with StreamReceiver() as rx:
        p = start_plugin({"SYSLOG_ADDRESS": rsyslog.tcp_address})
        s = DaemonStream(p.client(), short_tmp, make_info({"syslog-address": "none", "tcp-address": rx.address,
                                                            "tcp-format": "raw"}))
        assert s.start().ok
        s.log("only to tcp")
        s.finish()
        assert rx.wait_for_lines(1) == [b"only to tcp"]
    rsyslog.stop()  # waits until nothing more arrives
    assert rsyslog.messages() == []


def test_environment_default_for_tcp_address(start_plugin, short_tmp):
    with StreamReceiver() as rx:
        p = start_plugin({"TCP_ADDRESS": rx.address, "TCP_FORMAT": "raw"})
        s = DaemonStream(p.client(), short_tmp, make_info({}))
        assert s.start().ok
        s.log("raw via env")
        s.finish()
        assert rx.wait_for_lines(1) == [b"raw via env"]


@pytest.mark.parametrize("scheme,sock", [("udp", "dgram"), ("tcp", "stream")])
def test_default_port_is_514(plugin, short_tmp, scheme, sock):
    rx = DatagramReceiver(port=514) if sock == "dgram" else StreamReceiver(port=514)
    try:
        rx.start()
    except OSError as e:
        pytest.skip(f"cannot listen on 127.0.0.1:514 here ({e})")
    try:
        s = DaemonStream(plugin.client(), short_tmp, make_info({"syslog-address": f"{scheme}://127.0.0.1"}))
        assert s.start().ok
        s.log("to the default port")
        s.finish()
        got = rx.wait_for_datagrams(1) if sock == "dgram" else rx.wait_for_lines(1)
        assert got[0].rstrip(b"\n").endswith(b" to the default port")
    finally:
        rx.stop()


def test_bad_environment_default_is_reported(logship_binary, short_tmp):
    """An operator's typo in `docker plugin set` must surface naming the option, not be ignored:
    either the plugin refuses to start (enable fails, the reason in its log) or StartLogging fails."""
    from harness.plugin_process import PluginProcess

    p = PluginProcess(logship_binary, env={"SYSLOG_FACILITY": "nope", "SYSLOG_ADDRESS": DEAD})
    try:
        try:
            p.start()
        except RuntimeError:
            assert "SYSLOG_FACILITY" in p.stderr_text() or "syslog-facility" in p.stderr_text(), p.stderr_text()
            return
        resp = start(p, short_tmp, {})
        assert not resp.ok
        assert "syslog-facility" in resp.err or "SYSLOG_FACILITY" in resp.err, resp.err
    finally:
        p.stop()


def test_expect_module_matches_spec_examples():
    # The spec's own examples, so the reference formatter in the harness can be trusted.
    t = 1795709781143681000  # 2026-11-26T16:16:21.143681Z
    assert expect.syslog("m", t, "TAG", "HOST") == b"<30>1 2026-11-26T16:16:21.143681Z HOST TAG - TAG - m\n"
    assert expect.syslog("m", t, "TAG", "HOST", fmt="rfc5424") == b"<30>1 2026-11-26T16:16:21Z HOST TAG - TAG - m\n"
    assert expect.syslog("m", t, "TAG", "HOST", fmt="rfc3164") == b"<30>Nov 26 16:16:21 HOST TAG: m\n"
    assert expect.syslog("m", t, "TAG", "HOST", fmt="unix", source="stderr") == b"<27>Nov 26 16:16:21 TAG: m\n"
