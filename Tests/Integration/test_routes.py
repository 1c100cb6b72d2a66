"""Routes (issue 13), the binary played as dockerd: destinations defined once in CONFIG_DIR/routes.conf,
chosen by the container label `logship.route` (or `--log-opt route`), changed while streams run.

- Each stream goes where its route says, in its route's format; its own --log-opt wins over the route.
- A rewritten routes file moves running streams from their next line: under load, every numbered line
  arrives exactly once, at the old receiver up to some line and at the new one from the next, within
  2 s of the change, with no restart; streams on an unchanged route are not touched; lines queued
  for the old destination (a receiver that is down) are delivered there when it comes back.
- The file is seen within 2 s whichever way it is written (a tool's atomic rename, an editor's
  rename-away-and-write, a shell's in-place write), and an editor's moment without a file is not taken
  for a removed file; a directory replaced by a bind mount (invisible to inotify) is seen by the
  periodic check.
- An invalid file changes nothing: routing stays, the error (line, route, option) is logged, counted
  in /metrics and shown in /health; fixed, it is loaded.
- An unknown route fails StartLogging listing the routes.
- After a crash (kill -9) a re-attached stream resolves against the routes in force; a relative
  certificate path resolves in today's CONFIG_DIR, and a file missing there makes its destination
  queue, saying why, until the file is there: nothing is lost.
- unix:// and unixgram:// destinations work through a read-only bind mount (the plugin's `sockets`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from harness.fifo_writer import FifoWriter
from harness.lines import numbered_chunks, numbers_of
from harness.metrics import MetricsClient
from harness.plugin_process import PluginProcess
from harness.receivers import DatagramReceiver, StreamReceiver, free_port
from harness.routes import WAYS, RoutesDir, route_text
from harness.sequence import analyze
from harness.tls_fixtures import pki  # noqa: F401  (fixture)
from harness.tls_receiver import TLSStreamReceiver
from harness.waiting import wait_until

RAW = {"tcp_format": "raw"}
AUDIT = {"logship.route": "audit"}


@pytest.fixture
def config_dir():
    d = RoutesDir()
    yield d
    d.remove()


@pytest.fixture
def routed(start_plugin, config_dir):
    """routed(**env) -> (PluginProcess, MetricsClient): the plugin reading config_dir, with metrics."""

    def start(**env: str):
        port = free_port()
        p = start_plugin({"CONFIG_DIR": str(config_dir.path), "METRICS_ADDRESS": f"127.0.0.1:{port}", **env})
        m = MetricsClient("127.0.0.1", port)
        wait_until(m.reachable, 10, "the metrics endpoint")
        return p, m

    return start


def generation(m: MetricsClient) -> int:
    return int(m.value("logship_routes_generation"))


def wait_generation(m: MetricsClient, n: int, timeout: float = 2.0) -> float:
    """Seconds until the routes of generation `n` are in force; fails after `timeout`."""
    began = time.monotonic()
    wait_until(lambda: generation(m) >= n, timeout, f"routes generation {n}", interval=0.02,
               describe=lambda: f"generation {generation(m)}")
    return time.monotonic() - began


def test_each_stream_goes_where_its_route_says_in_its_routes_format(routed, config_dir, stream_on, rsyslog, receivers):
    """default: syslog to rsyslog; audit: GELF to a TCP receiver. The labelled stream's line arrives
    only at the GELF receiver as GELF, the unlabelled one's only at rsyslog as syslog. A labelled
    stream with its own tcp-address goes there, still in the route's format (GELF)."""
    gelf, own = receivers().start(), receivers().start()
    config_dir.write(route_text("default", syslog_address=rsyslog.tcp_address)
                     + route_text("audit", tcp_address=gelf.address, tcp_format="gelf"))
    p, m = routed()
    audited = stream_on(p, {}, labels=AUDIT, name="/audited")
    plain = stream_on(p, {}, name="/plain")
    overriding = stream_on(p, {"tcp-address": own.address}, labels=AUDIT, name="/overriding")
    audited.log("an audit line")
    plain.log("an app line")
    overriding.log("my own receiver")
    for s in (audited, plain, overriding):
        s.finish()
    [message] = [json.loads(r) for r in gelf.wait_for_records(1, sep=b"\0")]
    assert (message["short_message"], message["_container_name"]) == ("an audit line", "audited")
    [mine] = [json.loads(r) for r in own.wait_for_records(1, sep=b"\0")]
    assert (mine["short_message"], mine["_container_name"]) == ("my own receiver", "overriding")
    [syslog] = rsyslog.wait_for(1)
    assert syslog["msg"] == "an app line" and syslog["app_name"] == plain.container_id[:12]
    time.sleep(0.3)  # nothing else is on its way: each line was sent once, to one place
    assert gelf.count(b"\0") == 1 and own.count(b"\0") == 1 and len(rsyslog.messages()) == 1
    assert m.value("logship_routes") == 2 and generation(m) == 1


def test_a_route_change_under_load_moves_the_next_lines_none_lost_or_repeated(routed, config_dir, stream_on, receivers):
    """A stream on `audit` writes 40,000 numbered lines (about 13,000 a second); a second stream on
    `default` writes steadily too. A second into it the file is rewritten (atomic rename) so that
    `audit` points at rx2. rx1 has A1..Ak, rx2 A(k+1)..A40000, nothing twice, nothing missing, the
    switch seen at rx2 within 2 s; the default stream stays on its one connection throughout; the
    plugin is the same process."""
    rx1, rx2, rx_default = receivers().start(), receivers().start(), receivers().start()
    config_dir.write(route_text("default", tcp_address=rx_default.address, **RAW)
                     + route_text("audit", tcp_address=rx1.address, **RAW))
    p, m = routed()
    pid = p.pid
    a = stream_on(p, {}, labels=AUDIT)
    b = stream_on(p, {})
    n, per = 40_000, 100
    wa = FifoWriter(a.fd, numbered_chunks("A", 1, n, per), interval=per / 13_000, name="writer-A").start()
    wb = FifoWriter(b.fd, numbered_chunks("B", 1, n // 4, per // 4), interval=per / 13_000, name="writer-B").start()
    wait_until(lambda: rx1.count() >= 10_000, 20, "10,000 lines at rx1")
    config_dir.write(route_text("default", tcp_address=rx_default.address, **RAW)
                     + route_text("audit", tcp_address=rx2.address, **RAW))
    changed = time.monotonic()
    wait_until(lambda: rx2.count() > 0, 2, "the first line at rx2 within 2 s of the change", interval=0.01)
    switch_seconds = time.monotonic() - changed
    wa.join(30)
    wb.join(30)
    wait_until(lambda: rx1.count() + rx2.count() >= n and rx_default.count() >= n // 4, 30, "every line",
               describe=lambda: f"rx1 {rx1.count()}, rx2 {rx2.count()}, default {rx_default.count()}")
    for s in (a, b):
        s.finish()
    time.sleep(0.3)
    one, two = numbers_of(rx1.lines(), "A"), numbers_of(rx2.lines(), "A")
    print(f"\n[route change under load] A1..A{max(one)} at rx1, A{min(two)}..A{max(two)} at rx2; "
          f"first line at rx2 {switch_seconds * 1000:.0f} ms after the file was replaced")
    assert one == list(range(1, len(one) + 1)), analyze(one, 1, len(one)).summary()
    assert two == list(range(len(one) + 1, n + 1)), analyze(two, len(one) + 1, n).summary()
    assert numbers_of(rx_default.lines(), "B") == list(range(1, n // 4 + 1))
    assert rx_default.connection_count == 1
    assert p.pid == pid and p.alive() and generation(m) == 2
    assert max(wa.durations) < 1.0, "the container waited"


def test_lines_queued_for_the_old_destination_are_still_delivered_there(routed, config_dir, stream_on, receivers):
    """`audit` points at a receiver that is down: the stream's first 300 lines queue for it. The file
    is rewritten to point `audit` at rx2: the next 300 lines arrive there at once (the stream does not
    wait for the old queue), and when the old receiver comes up it gets the 300 queued lines, each
    once, in order; no line at the wrong receiver."""
    def q_numbers(rx) -> list[int]:
        return [int(line[1:]) for line in rx.lines()]

    rx2 = receivers().start()
    old = receivers()  # its port is chosen, nothing listens yet
    config_dir.write(route_text("audit", tcp_address=old.address, **RAW))
    p, m = routed()
    s = stream_on(p, {}, labels=AUDIT)
    s.log_lines([f"Q{i}" for i in range(1, 301)])
    wait_until(lambda: m.value("logship_destination_pending_messages", destination=old.address) == 300, 10,
               "300 lines queued for the receiver that is down")
    config_dir.write(route_text("audit", tcp_address=rx2.address, **RAW))
    wait_generation(m, 2)
    s.log_lines([f"Q{i}" for i in range(301, 601)])
    rx2.wait_for_lines(300, timeout=10)
    assert q_numbers(rx2) == list(range(301, 601))
    assert m.value("logship_destination_pending_messages", destination=old.address) == 300, "the old queue was dropped"
    old.start()
    old.wait_for_lines(300, timeout=30)
    s.finish()
    time.sleep(0.3)
    assert q_numbers(old) == list(range(1, 301))
    assert q_numbers(rx2) == list(range(301, 601))


@pytest.mark.parametrize("how", WAYS)
def test_every_way_of_writing_the_file_is_seen_within_2_seconds(routed, config_dir, stream_on, receivers, how):
    """The file rewritten the way a tool, an editor and a shell write it: generation 2 is in force
    within 2 s, and only generation 2 (an editor's moment without a file is not a change of its own)."""
    rx1, rx2 = receivers().start(), receivers().start()
    config_dir.write(route_text("audit", tcp_address=rx1.address, **RAW), how="atomic")
    p, m = routed()
    s = stream_on(p, {}, labels=AUDIT)
    s.log("before")
    rx1.wait_for_lines(1)
    config_dir.write(route_text("audit", tcp_address=rx2.address, **RAW), how=how)
    took = wait_generation(m, 2)
    s.log("after")
    rx2.wait_for_lines(1)
    print(f"\n[{how}] generation 2 in force {took * 1000:.0f} ms after the write")
    time.sleep(1.5)  # longer than the watcher waits for a file that went away to come back
    assert generation(m) == 2 and m.value("logship_routes_reloads_total") == 1
    assert rx1.lines() == [b"before"] and rx2.lines() == [b"after"]
    s.finish()


def test_an_invalid_file_keeps_the_routes_in_force_and_says_why_until_fixed(routed, config_dir, stream_on, receivers):
    rx1, rx2 = receivers().start(), receivers().start()
    config_dir.write(route_text("audit", tcp_address=rx1.address, **RAW))
    p, m = routed()
    s = stream_on(p, {}, labels=AUDIT)
    assert m.health()[0] == 200
    config_dir.write(f"[route audit]\ntcp-format = raw\ntcp-adress = {rx2.address}\n")
    wait_until(lambda: m.value("logship_routes_reload_errors_total") == 1, 2, "the failed load to be counted")
    problem = f"{config_dir.file} is not in force: line 3: route \"audit\": unknown option \"tcp-adress\" (did you mean \"tcp-address\"?)"
    status, health = m.health()
    assert status == 503 and health["status"] == "degraded"
    assert any(problem in text for text in health["problems"]), health["problems"]
    assert health["routes"]["generation"] == 1 and problem in health["routes"]["error"]
    assert m.value("logship_routes_file_valid") == 0
    assert problem in p.stderr_text() and "the routes of generation 1 stay in force" in p.stderr_text()
    s.log("still routed")
    rx1.wait_for_lines(1)

    config_dir.write(route_text("audit", tcp_address=rx2.address, **RAW))
    wait_generation(m, 2)
    s.log("fixed")
    rx2.wait_for_lines(1)
    status, health = m.health()
    assert status == 200 and health["routes"]["error"] is None and health["routes"]["names"] == ["audit"]
    assert m.value("logship_routes_file_valid") == 1 and m.value("logship_routes_reload_errors_total") == 1
    assert rx1.lines() == [b"still routed"] and rx2.lines() == [b"fixed"]
    s.finish()


def test_an_unknown_route_fails_start_logging_listing_the_routes(routed, config_dir, stream_on, receivers):
    rx = receivers().start()
    config_dir.write(route_text("default", tcp_address=rx.address) + route_text("audit", tcp_address=rx.address))
    p, _ = routed()
    by_option = stream_on(p, {"route": "nosuch"}, expect_ok=False)
    assert by_option.responses[0].err == (f"logship: unknown route \"nosuch\" (log-opt route): the routes are audit, "
                                          f"default in {config_dir.file}")
    by_label = stream_on(p, {}, expect_ok=False, labels={"logship.route": "nosuch"})
    assert "unknown route \"nosuch\" (label logship.route)" in by_label.responses[0].err


def test_a_routes_file_that_is_invalid_at_start_refuses_routed_containers_until_fixed(routed, config_dir, stream_on, receivers):
    """No earlier routes to keep: a container that would take a route is refused (not sent to the
    host-wide destination unnoticed), and the fixed file is loaded without a restart."""
    rx, host_wide = receivers().start(), receivers().start()
    config_dir.write("[route default]\nsyslog-facility = nope\n")
    p, m = routed(TCP_ADDRESS=host_wide.address)
    refused = stream_on(p, {}, expect_ok=False)
    assert "routes.conf is not in force: invalid value \"nope\" for syslog-facility (routes.conf line 2, route \"default\")" \
        in refused.responses[0].err
    assert m.health()[0] == 503
    config_dir.write(route_text("default", tcp_address=rx.address, **RAW))
    wait_generation(m, 2)
    s = stream_on(p, {})
    s.log("routed at last")
    s.finish()
    rx.wait_for_lines(1)
    assert host_wide.count() == 0 and m.health()[0] == 200


def test_a_stream_reattached_after_a_crash_resolves_against_the_routes_in_force(routed, config_dir, stream_on, receivers):
    """kill -9 while a stream on `audit` writes; the file is changed while the plugin is down; the
    restarted plugin re-attaches the stream (no StartLogging) and sends its next lines to the new
    receiver. Every line arrives (the read in flight at the kill may arrive twice, as a replayed window)."""
    rx1, rx2 = receivers().start(), receivers().start()
    config_dir.write(route_text("audit", tcp_address=rx1.address, **RAW))
    p, m = routed()
    s = stream_on(p, {}, labels=AUDIT)
    n = 6000
    writer = FifoWriter(s.fd, numbered_chunks("A", 1, n, 20), interval=0.005, stall_timeout=60).start()
    wait_until(lambda: rx1.count() >= 1000, 20, "1000 lines at rx1")
    p.kill()
    config_dir.write(route_text("audit", tcp_address=rx2.address, **RAW))
    p.restart()
    writer.join(60)
    wait_until(lambda: len(set(numbers_of(rx1.lines() + rx2.lines(), "A"))) >= n, 30, "every line",
               describe=lambda: f"rx1 {rx1.count()}, rx2 {rx2.count()}")
    s.finish()
    one, two = numbers_of(rx1.lines(), "A"), numbers_of(rx2.lines(), "A")
    report = analyze(one + two, 1, n)
    print(f"\n[re-attach] rx1 A{min(one)}..A{max(one)}, rx2 A{min(two)}..A{max(two)}: {report.summary()}")
    report.assert_complete(max_windows=1)
    assert two and max(two) == n and max(one) < n


def test_a_relative_certificate_path_missing_in_the_new_directory_queues_until_the_file_is_there(
        start_plugin, stream_on, pki, short_tmp):
    """Upgrading from the `certs` mount: a running stream's recorded relative CA path now resolves in
    CONFIG_DIR. The stream is re-attached (the plugin restarted with another CONFIG_DIR, without the
    file); its destination cannot connect and says which file it lacks; its lines wait; once the file
    is in the directory, every line is delivered."""
    old_dir, new_dir = short_tmp / "old", short_tmp / "new"
    old_dir.mkdir()
    new_dir.mkdir()
    shutil.copyfile(pki.ca.cert, old_dir / "ca.pem")
    rx = TLSStreamReceiver(pki.server).start()
    try:
        p = start_plugin({"CONFIG_DIR": str(old_dir)})
        s = stream_on(p, {"tcp-address": rx.address, "tcp-tls-ca-cert": "ca.pem", **{"tcp-format": "raw"}})
        s.log("before the upgrade")
        rx.wait_for_lines(1)
        p.terminate()
        p.env["CONFIG_DIR"] = str(new_dir)
        p.restart()
        s.log_lines([f"queued {i}" for i in range(100)])
        wait_until(lambda: f"{new_dir}/ca.pem" in p.stderr_text() and "No such file or directory" in p.stderr_text(), 20,
                   "the destination to say which file it lacks", describe=lambda: p.stderr_text()[-1500:])
        assert rx.lines() == [b"before the upgrade"]
        shutil.copyfile(pki.ca.cert, new_dir / "ca.pem")
        rx.wait_for_lines(101, timeout=30)
        assert rx.lines() == [b"before the upgrade"] + [f"queued {i}".encode() for i in range(100)]
        s.finish()
    finally:
        rx.stop()


def test_a_directory_replaced_by_a_mount_is_seen_by_the_periodic_check(routed, config_dir, stream_on, receivers, short_tmp):
    """A bind mount over the configuration directory changes nothing inotify reports on the watched
    directory; the stat every 5 s notices that the path now names another directory."""
    rx1, rx2 = receivers().start(), receivers().start()
    config_dir.write(route_text("audit", tcp_address=rx1.address, **RAW))
    (short_tmp / "replacement").mkdir()
    replacement = RoutesDir(short_tmp / "replacement")
    replacement.write(route_text("audit", tcp_address=rx2.address, **RAW))
    p, m = routed()
    s = stream_on(p, {}, labels=AUDIT)
    subprocess.run(["mount", "--bind", str(replacement.path), str(config_dir.path)], check=True)
    try:
        took = wait_generation(m, 2, timeout=8)
        print(f"\n[bind mount over CONFIG_DIR] seen after {took:.1f} s")
        s.log("after the mount")
        rx2.wait_for_lines(1)
    finally:
        subprocess.run(["umount", str(config_dir.path)], check=True)
    s.finish()


def test_unix_sockets_are_reachable_through_a_read_only_bind_mount(logship_binary, stream_on, short_tmp):
    """The `sockets` mount is read-only: connect(2) on a unix socket needs no write access to the
    filesystem it is on. The plugin runs in a mount namespace of its own where SEEN is a read-only
    bind mount of the directory the receivers' sockets are in; both kinds of unix destination deliver,
    and nothing in the plugin's namespace can create a file there."""
    host, seen = short_tmp / "host", short_tmp / "seen"
    host.mkdir()
    seen.mkdir()
    dgram = DatagramReceiver(path=str(host / "log")).start()
    stream = StreamReceiver(path=str(host / "stream.sock")).start()
    plugin = PluginProcess(logship_binary)
    plugin.wrapper = ["unshare", "-m", "--propagation", "private", "sh", "-c",
                      'mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" && shift 2 && exec "$@"', "sh",
                      str(host), str(seen)]
    try:
        plugin.start()
        [mount] = [l.split() for l in Path(f"/proc/{plugin.pid}/mountinfo").read_text().splitlines()
                   if l.split()[4] == str(seen)]
        assert mount[5].split(",")[0] == "ro", mount
        g = stream_on(plugin, {"syslog-address": f"unixgram://{seen}/log"})
        u = stream_on(plugin, {"syslog-address": f"unix://{seen}/stream.sock"})
        g.log("via unixgram")
        u.log("via unix")
        g.finish()
        u.finish()
        assert dgram.wait_for_datagrams(1)[0].endswith(b" via unixgram\n")
        assert stream.wait_for_lines(1)[0].endswith(b" via unix")
        touch = subprocess.run(["nsenter", "-t", str(plugin.pid), "-m", "touch", f"{seen}/x"], capture_output=True, text=True)
        assert touch.returncode != 0 and "Read-only file system" in touch.stderr, touch
    finally:
        plugin.stop()
        dgram.stop()
        stream.stop()
