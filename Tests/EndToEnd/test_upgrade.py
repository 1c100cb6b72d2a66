"""`docker plugin upgrade` keeps running streams and the spool (issue 8, item 8), on the real engine.

An upgrade replaces the plugin's rootfs. What must outlive it lives in the manifest's propagated
mount (`"propagatedMount": "/run/docker/logging"`), a directory Docker keeps beside the rootfs
(/var/lib/docker/plugins/<id>/propagated-mount) and bind-mounts over that path of the rootfs:
- the FIFOs: the daemon creates them at ScopedPath("/run/docker/logging")/<id>, which for a plugin
  with that propagated mount is the propagated-mount directory, not the rootfs;
- STATE_DIR (default /run/docker/logging/logship-state): the stream records the new process
  re-opens the FIFOs from (Docker never sends StartLogging again), and the spool.

The test publishes two versions of the plugin built from this checkout to the private registry
(scripts/testenv/start-registry.sh), installs the first under an alias of its own (never the
`logship` plugin the other e2e tests and other engineers use), and upgrades it while
(a) a container is logging paced numbered lines to a listening receiver, and
(b) another destination, whose receiver is down, holds a spooled backlog of 20,000 lines.
Without the propagated mount both are lost: the FIFO the daemon keeps writing into is the one of the
deleted rootfs, and the records and the spool went with it.

Run it on its own with `python3 -m pytest -c Tests/pytest.ini Tests/EndToEnd/test_upgrade.py -x -s`;
it needs the release binary scripts/install.sh builds (.build/release/logship, or LOGSHIP_BINARY).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from harness import docker as d
from harness.metrics import MetricsClient, destination_totals
from harness.receivers import StreamReceiver, free_port
from harness.sequence import analyze, numbers
from harness.waiting import wait_until

REPO_ROOT = Path(__file__).resolve().parents[2]
REGISTRY = os.environ.get("LOGSHIP_REGISTRY_ADDRESS", "127.0.0.1:5000")
REFERENCE = f"{REGISTRY}/logship-upgrade"
OLD, NEW = f"{REFERENCE}:1.0", f"{REFERENCE}:1.1"
ALIAS = "logship-upgrade-test"
RAW = {"tcp-format": "raw"}

LIVE_LINES = 3000  # one every ~8 ms: about 25 s, so the stream is mid-way through the upgrade
BACKLOG_LINES = 20_000


def registry_answers() -> bool:
    try:
        urllib.request.urlopen(f"http://{REGISTRY}/v2/", timeout=2).read()
        return True
    except OSError:
        return False


def remove_plugin(name: str) -> None:
    """Forcefully, and quietly when it is not there: an earlier run may have been interrupted."""
    if d.plugin_inspect(name) is not None:
        d.docker("plugin", "disable", "-f", name, check=False)
        d.docker("plugin", "rm", "-f", name, check=False)


def publish_versions(binary: Path, workdir: Path) -> None:
    """Build the plugin directory once from this checkout's config.json and `binary`, then create
    and push it as 1.0 and 1.1. The two differ by one file: `docker plugin create` refuses a second
    plugin whose layer is byte-for-byte one it already has ("content sha256:... already exists")."""
    env = dict(os.environ, LOGSHIP_PLUGIN_DIR=str(workdir / "1.0"))
    subprocess.run([str(REPO_ROOT / "plugin" / "build-rootfs.sh"), str(binary)], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    shutil.copytree(workdir / "1.0", workdir / "1.1", symlinks=True)
    for version, reference in (("1.0", OLD), ("1.1", NEW)):
        (workdir / version / "rootfs" / "etc" / "logship-release").write_text(version + "\n")
        remove_plugin(reference)  # a local copy left by an interrupted run: create would refuse the name
        d.docker("plugin", "create", reference, str(workdir / version))
        try:
            d.docker("plugin", "push", reference, timeout=300)
        finally:
            # The installed plugin comes from the registry, under the alias; the local copy is only
            # the thing pushed.
            d.docker("plugin", "rm", "-f", reference, check=False)


def where_streams_live(plugin_id: str) -> str:
    """Where the FIFOs and the stream records are on the host, for the report (not an assertion:
    the test judges by what arrives)."""
    root = Path(d.docker("info", "-f", "{{.DockerRootDir}}").stdout.decode().strip()) / "plugins" / plugin_id
    out = []
    for place in (root / "propagated-mount", root / "rootfs" / "run" / "docker" / "logging"):
        if not place.is_dir():
            out.append(f"{place}: none")
            continue
        fifos = [p for p in place.iterdir() if p.is_fifo()]
        records = list(place.glob("logship-state/streams/*.json"))
        out.append(f"{place}: {len(fifos)} FIFOs, {len(records)} stream records")
    return "; ".join(out)


def paced_numbers(n: int, pause_us: int) -> list[str]:
    return ["sh", "-c", f"i=1; while [ $i -le {n} ]; do echo $i; i=$((i+1)); usleep {pause_us}; done"]


def wait_complete(rx: StreamReceiver, n: int, timeout: float, stall: float = 15.0) -> str:
    """Wait until 1..n have all arrived at rx, or until nothing has arrived for `stall` seconds
    (three times the reconnect backoff's 5 s cap: what is missing then is lost). Returns "" when
    complete, else why it stopped waiting; the caller asserts after reporting both destinations."""
    deadline = time.monotonic() + timeout
    seen, progress = -1, time.monotonic()
    while True:
        count = rx.count()
        if count != seen:
            seen, progress = count, time.monotonic()
        if count >= n and len(set(numbers(rx.lines())[0])) >= n:
            return ""
        now = time.monotonic()
        if now - progress >= stall:
            return f"nothing arrived for {stall:.0f}s"
        if now >= deadline:
            return f"timed out after {timeout:.0f}s"
        time.sleep(0.2)


@pytest.fixture
def upgradable_plugin():
    """1.0 and 1.1 in the registry, 1.0 installed and enabled as ALIAS with a metrics endpoint.
    Yields the MetricsClient; the plugin is removed at the end, whatever happened."""
    if not registry_answers():
        pytest.fail(f"no registry answers on {REGISTRY}; run scripts/testenv/start-registry.sh", pytrace=False)
    binary = Path(os.environ.get("LOGSHIP_BINARY") or REPO_ROOT / ".build" / "release" / "logship")
    if not binary.is_file():
        pytest.fail(f"{binary} not found; run scripts/install.sh (it builds the release binary)", pytrace=False)
    remove_plugin(ALIAS)
    with tempfile.TemporaryDirectory(prefix="logship-upgrade-") as tmp:
        publish_versions(binary, Path(tmp))
    port = free_port()
    try:
        # Settings given to `install` are set before it enables the plugin; an upgrade keeps them.
        d.docker("plugin", "install", "--alias", ALIAS, "--grant-all-permissions", OLD,
                 f"METRICS_ADDRESS=127.0.0.1:{port}", timeout=300)
        m = MetricsClient("127.0.0.1", port)
        wait_until(m.reachable, 15, f"the metrics endpoint of {ALIAS} on 127.0.0.1:{port}")
        yield m
    finally:
        remove_plugin(ALIAS)


def test_upgrade_keeps_running_streams_and_the_spool(upgradable_plugin, receivers):
    m = upgradable_plugin
    live, down = receivers().start(), receivers()  # `down` has a port but does not listen yet
    plugin_id = d.plugin_id(ALIAS)

    # (b) the backlog: a container's lines to a destination that is down, all taken in and spooled
    # (received by the plugin, none sent) before the upgrade begins.
    backlog = d.run_container(["seq", "1", str(BACKLOG_LINES)], {"tcp-address": down.address, **RAW},
                              driver=ALIAS, capture=False)
    assert backlog.returncode == 0, backlog.stderr
    wait_until(lambda: (st := destination_totals(m.metrics(), down.address))
               and st.get("received_messages_total") == BACKLOG_LINES and st, 30,
               f"{BACKLOG_LINES} lines taken in for {down.address}",
               describe=lambda: str(destination_totals(m.metrics(), down.address)))
    before = destination_totals(m.metrics(), down.address)
    assert before["sent_messages_total"] == 0 and before["pending_messages"] == BACKLOG_LINES, before

    # (a) a running stream, mid-way when the plugin goes down.
    with d.detached_container(paced_numbers(LIVE_LINES, 8000), {"tcp-address": live.address, **RAW},
                              driver=ALIAS) as (name, _):
        wait_until(lambda: live.count() >= 300, 30, "300 lines of the running container before the upgrade",
                   describe=lambda: f"{live.count()} lines")
        at_disable = live.count()
        layout = where_streams_live(plugin_id)
        began = time.monotonic()
        # -f: the plugin is in use by the running container; Docker refuses a plain disable then.
        d.docker("plugin", "disable", "-f", ALIAS)
        # --skip-remote-check: the CLI asks "Plugin images do not match, are you sure?" when the new
        # reference differs from the installed one (a new tag does), and with no terminal the
        # answer is no.
        d.docker("plugin", "upgrade", "--grant-all-permissions", "--skip-remote-check", ALIAS, NEW, timeout=300)
        d.docker("plugin", "enable", ALIAS)
        window = time.monotonic() - began
        # The daemon removes a FIFO once its container has exited and it gave up on the stream: a
        # container that finished while the plugin was down would test nothing.
        assert d.docker("inspect", "-f", "{{.State.Running}}", name).stdout.strip() == b"true", \
            f"the container finished during the {window:.1f}s upgrade: lengthen it"

        wait_until(m.reachable, 15, "the metrics endpoint of the upgraded plugin")
        after = {k: m.value(k) for k in ("logship_streams_active", "logship_streams_reattached_total")}
        spooled = destination_totals(m.metrics(), down.address)
        down.start()  # the receiver comes back only now: the backlog can only come from the spool
        # Lines keep arriving every few ms while the stream is re-attached, so a stall means loss.
        live_wait = wait_complete(live, LIVE_LINES, timeout=120)
        exit_code = d.wait_exited(name, timeout=120) if not live_wait else None
    down_wait = wait_complete(down, BACKLOG_LINES, timeout=120)
    live.stop_draining()
    down.stop_draining()

    info = d.plugin_inspect(ALIAS)
    live_nums, live_other = numbers(live.lines())
    down_nums, down_other = numbers(down.lines())
    r_live, r_down = analyze(live_nums, 1, LIVE_LINES), analyze(down_nums, 1, BACKLOG_LINES)
    print(f"\n[upgrade] before the upgrade: {layout}")
    print(f"[upgrade] disable -f + upgrade + enable took {window:.1f}s, {at_disable} lines had arrived "
          f"before it; the upgraded process then had {after}, and for the down destination {spooled}")
    print(f"[upgrade] running container: {r_live.summary()}" + (f" ({live_wait})" if live_wait else ""))
    print(f"[upgrade] spooled backlog:   {r_down.summary()}" + (f" ({down_wait})" if down_wait else ""))
    # At least once: duplicates (a replayed window around the restart) are counted above, not refused.
    assert not live_other and not down_other, (live_other[:5], down_other[:5])
    assert r_live.missing_count == 0 and not r_live.anomalies, f"running container: {r_live.summary()}"
    assert r_down.missing_count == 0 and not r_down.anomalies, f"spooled backlog: {r_down.summary()}"
    assert exit_code == 0
    assert info["PluginReference"] == NEW, info["PluginReference"]
    assert info["Id"] == plugin_id, "the upgrade made a new plugin instead of replacing the rootfs"
