"""Integration fixtures: the logship binary on a private socket, driven like dockerd drives it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harness.metrics import MetricsClient
from harness.plugin_process import DaemonStream, PluginProcess, make_info
from harness.receivers import free_port

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def logship_binary() -> str:
    """LOGSHIP_BINARY, or the debug build (scripts/test.sh integration builds it first)."""
    path = os.environ.get("LOGSHIP_BINARY") or str(REPO / ".build" / "debug" / "logship")
    if not os.access(path, os.X_OK):
        pytest.fail(f"logship binary {path} not found: run `swift build --product logship` "
                    "or set LOGSHIP_BINARY", pytrace=False)
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's outcome on the test item, so fixtures can tell whether the test failed."""
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


@pytest.fixture
def start_plugin(logship_binary, request):
    """start_plugin(env={...}) -> a running PluginProcess. Each must still be alive at the end of the
    test: a plugin that crashed mid-test fails it even if the assertions passed."""
    started = []

    def start(env: dict[str, str] | None = None) -> PluginProcess:
        p = PluginProcess(logship_binary, env=env).start()
        started.append(p)
        return p

    yield start
    dead = [(p, p.proc.returncode) for p in started if not p.alive() and not p.stopped]
    logs = {id(p): p.stderr_text() for p in started}
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    if failed:  # shown by pytest under "Captured stdout teardown"
        for p in started:
            print(f"--- logship stderr (last 3000 characters) ---\n{logs[id(p)][-3000:]}")
    for p in started:
        p.stop()
    for p, rc in dead:
        pytest.fail(f"logship exited during the test with status {rc}; its stderr:\n{logs[id(p)][-3000:]}",
                    pytrace=False)


@pytest.fixture
def plugin(start_plugin) -> PluginProcess:
    return start_plugin()


@pytest.fixture
def open_stream(plugin, stream_on):
    """open_stream(config, on=plugin, **info) -> a started DaemonStream whose StartLogging succeeded,
    on the test's `plugin` unless `on` names another: `stream_on` for the common case. Streams still
    open at the end are closed the way the daemon closes them (by stream_on, before the plugin stops)."""

    def open_(config: dict[str, str], on=None, **info_kw) -> DaemonStream:
        return stream_on(on or plugin, config, **info_kw)

    return open_


@pytest.fixture
def metered(start_plugin):
    """metered(**env) -> (PluginProcess, MetricsClient): the plugin with METRICS_ADDRESS on a free port."""

    def start(**env: str):
        port = free_port()
        p = start_plugin({"METRICS_ADDRESS": f"127.0.0.1:{port}", **env})
        return p, MetricsClient("127.0.0.1", port)

    return start


@pytest.fixture
def stream_on(short_tmp):
    """stream_on(plugin, config, expect_ok=True, **info) -> a started DaemonStream (make_info's keywords:
    env=, labels=, name=...). With expect_ok its StartLogging must succeed; otherwise the caller looks
    at `stream.responses[0]`. Closed like the daemon closes it at the end."""
    opened: list[DaemonStream] = []
    fifo_dir = short_tmp / "logging"
    fifo_dir.mkdir(exist_ok=True)

    def open_(plugin, config: dict[str, str], expect_ok: bool = True, **info_kw) -> DaemonStream:
        s = DaemonStream(plugin.client(), fifo_dir, make_info(config, **info_kw))
        opened.append(s)
        resp = s.start()
        if expect_ok:
            assert resp.ok, f"StartLogging failed: HTTP {resp.status} {resp.body!r}"
        return s

    yield open_
    for s in opened:
        if s.fd is not None:
            try:
                s.stop_logging()
            except OSError:
                pass
            s.close()
