"""Changing the host-wide destination on a busy host, on a real Docker engine (README: "Changing a
host-wide setting on a running host").

`docker plugin disable -f`, `docker plugin set TCP_ADDRESS=...`, `docker plugin enable`: the plugin
re-attaches to the running containers' FIFOs and resolves their options again with today's host-wide
settings, so a container without a `tcp-address` of its own continues at the new address from the
first line the old run had not read; what the old run had read is delivered to the old address. A
container with its own `--log-opt tcp-address` keeps it. Nothing is lost.
"""

from __future__ import annotations

from contextlib import ExitStack, contextmanager

from harness import docker as d
from harness.sequence import analyze, numbers
from harness.waiting import wait_until, wait_while_progressing


@contextmanager
def host_wide(**env: str):
    """Set host-wide settings with `disable -f` / set / enable, and put the old values back the same
    way. (`docker.plugin_settings` does a plain disable, which Docker refuses while a container uses
    the plugin; the test changes the setting again while its containers run, and if cleanup failed to
    remove one, a plain disable would leave the plugin with this test's values for every later test.)"""
    before = d.plugin_env()
    unknown = set(env) - set(before)
    assert not unknown, f"plugin {d.PLUGIN} declares no settable env {sorted(unknown)}"
    d.plugin_force_restart(**env)
    try:
        yield
    finally:
        d.plugin_force_restart(**{k: before[k] for k in env})


def steady_printer(prefix: str, stop_file: str) -> list[str]:
    """Prints PREFIX1, PREFIX2, ... about every 2 ms until `stop_file` exists, then `PREFIX-end N`
    (N: the last number printed), so the test learns how many lines to expect without timing them."""
    return ["sh", "-c", f"i=0; while [ ! -e {stop_file} ]; do i=$((i+1)); echo {prefix}$i; usleep 2000; done; "
                        f"echo {prefix}-end $i"]


def last_number(rx, prefix: bytes) -> int | None:
    for line in rx.lines():
        if line.startswith(prefix + b"-end "):
            return int(line.split()[-1])
    return None


def test_host_wide_destination_change_moves_running_containers_without_loss(receivers):
    """Host-wide TCP_ADDRESS=rx1, TCP_FORMAT=raw. Container A has no address of its own, container B
    has `--log-opt tcp-address=rx3`; both print numbered lines steadily. Once both are flowing:
    `disable -f`, `set TCP_ADDRESS=rx2`, `enable`, while they keep printing. A's lines arrive at rx1
    up to some line and at rx2 from the next one on (every line that only rx1 has comes before every
    line that only rx2 has), none missing across the two; B's lines all arrive at rx3, none missing;
    no receiver gets the other container's lines. Duplicates are counted and printed, and allowed."""
    rx1, rx2, rx3 = (receivers().start() for _ in range(3))
    with host_wide(TCP_ADDRESS=rx1.address, TCP_FORMAT="raw"), d.StartGate() as gate, ExitStack() as stack:
        a, _ = stack.enter_context(d.detached_container(steady_printer("A", "/gate/stop"),
                                                        docker_args=gate.docker_args))
        b, _ = stack.enter_context(d.detached_container(steady_printer("B", "/gate/stop"),
                                                        {"tcp-address": rx3.address}, docker_args=gate.docker_args))
        wait_until(lambda: rx1.count() >= 200 and rx3.count() >= 200, 30, "200 lines of A at rx1 and of B at rx3",
                   describe=lambda: f"rx1 {rx1.count()}, rx3 {rx3.count()}")
        at_switch = rx1.count()
        down = d.plugin_force_restart(TCP_ADDRESS=rx2.address)
        at_enable = rx3.count()
        # Flowing again, at the new address and (B) at its own: enough to show both continued.
        wait_until(lambda: rx2.count() >= 200 and rx3.count() >= at_enable + 200, 30,
                   "200 lines of A at rx2 and 200 more of B at rx3 after the change",
                   describe=lambda: f"rx1 {rx1.count()}, rx2 {rx2.count()}, rx3 {rx3.count()} (B had {at_enable})")
        (gate.dir / "stop").touch()
        assert d.wait_exited(a, timeout=30) == 0 and d.wait_exited(b, timeout=30) == 0
        n_a = wait_until(lambda: last_number(rx2, b"A"), 30, "A's end line at rx2")
        n_b = wait_until(lambda: last_number(rx3, b"B"), 30, "B's end line at rx3")

        def a_lines() -> set[int]:
            return set(numbers(rx1.lines(), b"A")[0]) | set(numbers(rx2.lines(), b"A")[0])

        def b_lines() -> set[int]:
            return set(numbers(rx3.lines(), b"B")[0])

        complete = wait_while_progressing(lambda: len(a_lines()) >= n_a and len(b_lines()) >= n_b,
                                          lambda: rx1.count() + rx2.count() + rx3.count(), timeout=60, stall=10)
    for rx in (rx1, rx2, rx3):
        rx.stop_draining()

    a1, other1 = numbers(rx1.lines(), b"A")
    a2, other2 = numbers(rx2.lines(), b"A")
    b3, other3 = numbers(rx3.lines(), b"B")
    foreign = other1 + [l for l in other2 if not l.startswith(b"A-end ")] + [l for l in other3 if not l.startswith(b"B-end ")]
    ra, rb = analyze(sorted(a1 + a2), 1, n_a), analyze(b3, 1, n_b)
    only1, only2 = set(a1) - set(a2), set(a2) - set(a1)
    both = set(a1) & set(a2)
    print(f"\n[host-wide TCP_ADDRESS rx1 -> rx2] plugin disabled {down:.1f}s; A printed {n_a} lines: "
          f"A1..A{max(a1) if a1 else '-'} at rx1 ({len(a1)} lines, {len(a1) - len(set(a1))} twice), "
          f"A{min(a2) if a2 else '-'}..A{max(a2) if a2 else '-'} at rx2 ({len(a2)} lines, {len(a2) - len(set(a2))} twice), "
          f"{len(both)} at both ({len(a1) + len(a2) - len(set(a1) | set(a2))} duplicates in all); rx1 had {at_switch} lines when the change began; A missing: {ra.missing_count}. "
          f"B printed {n_b}, at rx3: {rb.summary()}; lines at the wrong receiver: {len(foreign)} {foreign[:3]}")
    assert complete, f"A: {ra.summary()}; B: {rb.summary()}"
    assert not ra.missing, f"A lost lines across the change: {ra.summary()}"
    assert not rb.missing and not rb.anomalies, f"B lost or reordered lines: {rb.summary()}"
    assert not foreign, f"lines at the wrong receiver: {foreign[:5]}"
    assert a1 and min(a1) == 1 and len(set(a1)) >= at_switch, "A's lines before the change did not all go to rx1"
    assert a2 and max(a2) == n_a, "A's lines after the change did not go to rx2"
    assert max(only1, default=0) < min(only2, default=n_a + 1), \
        f"A's lines are not split at one point: rx1 has up to {max(only1)}, rx2 from {min(only2)}"
    assert analyze(a1, 1, max(a1)).anomalies == [] and analyze(a2, min(a2), n_a).anomalies == [], \
        "A's lines out of order at a receiver"
