"""The plugin protocol over the real socket: what dockerd sends, what it needs back (protocol doc §2, §3)."""

from __future__ import annotations

import json
import threading

from harness.plugin_process import DaemonStream, make_info
from harness.receivers import StreamReceiver


def test_capabilities_answers_json_without_readlogs(plugin):
    r = plugin.client().capabilities()
    assert r.status == 200, r
    body = r.json()  # an empty 200 body is an error for the daemon
    # logship does not implement ReadLogs: `docker logs` must use Docker's local cache.
    assert body.get("Cap", {}).get("ReadLogs", False) is False, body
    assert not body.get("Err")


def test_activate_lists_logdriver(plugin):
    # Only legacy (v1) plugins get this call; answering it is harmless and lets logship run unmanaged.
    r = plugin.client().post("Plugin.Activate")
    assert r.status == 200
    assert "LogDriver" in r.json().get("Implements", [])


def test_start_and_stop_logging(plugin, short_tmp):
    with StreamReceiver() as rx:
        s = DaemonStream(plugin.client(), short_tmp, make_info({"tcp-address": rx.address, "tcp-format": "raw"}))
        start = s.start()
        assert start.status == 200 and start.ok, start
        assert start.elapsed < 2, f"StartLogging took {start.elapsed:.1f}s; it must answer at once"
        s.log("hello")
        stop = s.finish()
        assert stop.status == 200 and stop.ok, stop
        assert stop.elapsed < 2, f"StopLogging took {stop.elapsed:.1f}s; it must answer without waiting for EOF"
        assert rx.wait_for_lines(1) == [b"hello"]


def test_requests_share_one_keepalive_connection(plugin, short_tmp):
    c = plugin.client()
    streams = []
    with StreamReceiver() as rx:
        for i in range(3):
            s = DaemonStream(c, short_tmp, make_info({"tcp-address": rx.address, "tcp-format": "raw"}))
            assert s.start().ok
            streams.append(s)
        assert c.capabilities().status == 200
        for i, s in enumerate(streams):
            s.log(f"stream {i}")
            assert s.finish().ok
        assert sorted(rx.wait_for_lines(3)) == [b"stream 0", b"stream 1", b"stream 2"]


def test_concurrent_connections(plugin, short_tmp):
    """Containers start concurrently: the daemon opens several connections at once."""
    errors = []
    with StreamReceiver() as rx:

        def one(i):
            try:
                s = DaemonStream(plugin.client(), short_tmp, make_info({"tcp-address": rx.address, "tcp-format": "raw"}))
                assert s.start().ok
                s.log_lines([f"c{i} line {n}" for n in range(50)])
                assert s.finish().ok
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors, errors
        lines = rx.wait_for_lines(8 * 50)
        for i in range(8):
            assert [l for l in lines if l.startswith(f"c{i} ".encode())] == [f"c{i} line {n}".encode() for n in range(50)]


def test_stop_logging_for_unknown_file_still_answers_200(plugin):
    # A failed StopLogging makes the daemon leak the FIFO and keep the plugin "in use" (§3.4).
    r = plugin.client().stop_logging("/run/docker/logging/" + "0" * 64)
    assert r.status == 200
    json.loads(r.body)


def test_malformed_request_bodies_do_not_crash_the_plugin(plugin):
    c = plugin.client()
    # The daemon retries with an empty body after a timeout (§2.4); garbage must be rejected, not fatal.
    for body in (b"", b"{", b"[]", b'{"File": 5}', b'{"File":"/nonexistent/fifo","Info":{"Config":null}}'):
        r = c.post("LogDriver.StartLogging", raw_body=body)
        assert not r.ok, f"StartLogging accepted {body!r}"
    assert plugin.client().capabilities().status == 200
    assert plugin.alive()


def test_unknown_path_is_an_error_not_a_crash(plugin):
    r = plugin.client().post("LogDriver.ReadLogs", {"Info": make_info(), "Config": {"Tail": -1}})
    assert r.status != 200, "ReadLogs is not implemented: it must not answer 200 (the body would be read as frames)"
    assert plugin.client().capabilities().status == 200


def test_null_arrays_and_objects_in_info_are_accepted(plugin, short_tmp):
    info = make_info({"tcp-address": "tcp://127.0.0.1:9", "tcp-format": "raw"}, args=None, env=None, labels=None)
    info["ContainerArgs"] = None
    info["ContainerEnv"] = None
    info["ContainerLabels"] = None
    s = DaemonStream(plugin.client(), short_tmp, info)
    assert s.start().ok
    assert s.finish().ok
