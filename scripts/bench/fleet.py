#!/usr/bin/env python3
"""The fleet benchmark's measuring part (scripts/bench-fleet.sh runs it): many containers on one host,
half on route `a`, half on route `b`, each printing numbered lines; in the middle `b` is moved to
another receiver by rewriting routes.conf, then the plugin is killed (SIGKILL) and Docker restarts it.

Measured: lines printed, delivered, lost (must be 0) and delivered twice; lines at a receiver their
route never pointed at; the plugin's RSS, threads and descriptors with every stream open (before the
change, and after the restart, which re-attaches them all); how long after the rewrite each `b`
container's first line reached the new receiver; how long the plugin was down.

Containers are started, stopped and removed in batches with a pause between them: a dockerd 20.10
without moby/moby#46693 deadlocks when ~50 containers start or exit at once (moby/moby#46661), and
vfs storage makes each start slow. Every container gets the label LABEL and is removed at the end,
whatever happened.

Usage: fleet.py --plugin NAME --config-dir DIR --out SECTION.md [--containers N] [--interval S]
                [--batch B] [--pause S] [--label LABEL]
Writes the markdown section (without its markers) to --out, and progress to stderr.
"""

from __future__ import annotations

import argparse
import os
import platform
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "Tests" / "Harness"))

from harness import docker as d  # noqa: E402
from harness.metrics import MetricsClient  # noqa: E402
from harness.receivers import StreamReceiver, free_port  # noqa: E402
from harness.routes import RoutesDir, route_text  # noqa: E402
from harness.sequence import analyze  # noqa: E402
from harness.waiting import wait_until  # noqa: E402


def log(message: str) -> None:
    print(f"[bench-fleet] {message}", file=sys.stderr, flush=True)


def printer(k: int, interval: float) -> list[str]:
    """Prints `cK N` every `interval` seconds until /gate/stop-BATCH exists, then `cK end N`."""
    usec = int(interval * 1e6)
    return ["sh", "-c", f'i=0; while [ ! -e "/gate/stop-$BATCH" ]; do i=$((i+1)); echo c{k} $i; usleep {usec}; done; '
                        f"echo c{k} end $i"]


class ProcessSampler:
    """The plugin's RSS (KiB), threads and open descriptors every 0.5 s, following restarts."""

    def __init__(self, plugin: str):
        self.plugin = plugin
        self.samples: list[tuple[float, int, int, int, int]] = []  # time, pid, rss, threads, fds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> "ProcessSampler":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def now(self) -> tuple[int, int, int, int] | None:
        pid = d.plugin_pid(self.plugin)
        if pid is None:
            return None
        try:
            status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
            fds = len(os.listdir(f"/proc/{pid}/fd"))
        except OSError:
            return None
        return pid, int(status["VmRSS"].split()[0]), int(status["Threads"]), fds

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            sample = self.now()
            if sample:
                self.samples.append((time.monotonic(), *sample))

    def peak(self, index: int, since: float = 0.0) -> int:
        return max((s[index] for s in self.samples if s[0] >= since), default=0)


class _cleanup:
    """Runs `action` when the block ends, however it ends."""

    def __init__(self, action):
        self.action = action

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.action()


def docker_batch(commands: list[list[str]]) -> list[subprocess.CompletedProcess]:
    procs = [subprocess.Popen(["docker", *c], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in commands]
    out = []
    for c, p in zip(commands, procs):
        stdout, stderr = p.communicate(timeout=300)
        out.append(subprocess.CompletedProcess(c, p.returncode, stdout, stderr))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--config-dir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--containers", type=int, default=500)
    ap.add_argument("--interval", type=float, default=0.25)
    ap.add_argument("--batch", type=int, default=10)
    ap.add_argument("--pause", type=float, default=1.0)
    ap.add_argument("--label", default=f"logship-bench-fleet={os.getpid()}")
    ap.add_argument("--command", default="scripts/bench-fleet.sh")
    args = ap.parse_args()
    began = time.monotonic()
    n, plugin = args.containers, args.plugin
    batches = [list(range(b, min(b + args.batch, n))) for b in range(0, n, args.batch)]
    route_of = {k: "a" if k % 2 == 0 else "b" for k in range(n)}

    rx = {"a": StreamReceiver().start(), "b1": StreamReceiver().start(), "b2": StreamReceiver().start()}
    config = RoutesDir(args.config_dir)
    gate = d.StartGate()
    names: dict[int, str] = {}
    port = free_port()
    metrics = MetricsClient("127.0.0.1", port)
    sampler = ProcessSampler(plugin)
    result: dict[str, object] = {}

    def routes(b: str) -> str:
        return route_text("a", tcp_address=rx["a"].address, tcp_format="raw") + route_text("b", tcp_address=rx[b].address, tcp_format="raw")

    def remove_fleet() -> None:
        """Every container of the run, a batch at a time, so that dockerd never sees a burst of exits."""
        leftovers = list(names.values())
        for b in range(0, len(leftovers), args.batch):
            subprocess.run(["docker", "rm", "-f", *leftovers[b:b + args.batch]], capture_output=True)
            time.sleep(args.pause / 2)
        names.clear()

    config.write(routes("b1"))
    try:
        # The plugin must be unused when its mounts are set back at the end: the fleet goes first.
        with d.plugin_mounts({"config": str(config.path)}, plugin, CONFIG_DIR="/config", METRICS_ADDRESS=f"127.0.0.1:{port}"), \
                _cleanup(remove_fleet):
            wait_until(metrics.reachable, 20, "the plugin's metrics endpoint")
            idle = sampler.now()
            sampler.start()
            log(f"plugin {plugin} pid {idle[0]}: RSS {idle[1]} KiB, {idle[2]} threads, {idle[3]} fds before any container")

            # 1. Start the fleet in batches.
            t0 = time.monotonic()
            for i, batch in enumerate(batches):
                commands = []
                for k in batch:
                    names[k] = f"logship-fleet-{os.getpid()}-{k}"
                    commands.append(["run", "-d", "--name", names[k], "--network=none", "--label", args.label,
                                     "--label", f"logship.route={route_of[k]}", "--env", f"BATCH={i}",
                                     *gate.docker_args, "--log-driver", plugin, d.IMAGE, *printer(k, args.interval)])
                failed = [p for p in docker_batch(commands) if p.returncode != 0]
                if failed:
                    raise RuntimeError(f"docker run failed: {failed[0].stderr.strip()}")
                if (i + 1) % 10 == 0 or i + 1 == len(batches):
                    log(f"{len(names)} containers running ({time.monotonic() - t0:.0f} s)")
                time.sleep(args.pause)
            start_seconds = time.monotonic() - t0
            wait_until(lambda: metrics.value("logship_streams_active") >= n, 60, f"{n} streams",
                       describe=lambda: str(metrics.value("logship_streams_active")))
            time.sleep(5)
            steady = sampler.now()
            log(f"{n} streams: RSS {steady[1]} KiB, {steady[2]} threads, {steady[3]} fds")

            # 2. Move route b.
            before = rx["b2"].count()
            firsts: dict[str, float] = {}
            changed = time.monotonic()
            config.write(routes("b2"))
            generation_seconds = None
            deadline = changed + 60
            b_names = {f"c{k}".encode() for k in range(n) if route_of[k] == "b"}
            while time.monotonic() < deadline and len(firsts) < len(b_names):
                if generation_seconds is None and metrics.value("logship_routes_generation") >= 2:
                    generation_seconds = time.monotonic() - changed
                if rx["b2"].count() > before:
                    now = time.monotonic() - changed
                    for line in rx["b2"].lines():
                        who = line.split(b" ", 1)[0]
                        if who in b_names and who not in firsts:
                            firsts[who] = now
                time.sleep(0.05)
            latencies = sorted(firsts.values())
            log(f"route b moved: generation 2 after {generation_seconds} s; {len(firsts)} of {len(b_names)} b containers "
                f"at the new receiver, the last after {latencies[-1] if latencies else None:.2f} s")
            time.sleep(10)

            # 3. kill -9; Docker restarts the plugin, which re-attaches every stream.
            pid = d.plugin_pid(plugin)
            killed = time.monotonic()
            os.kill(pid, signal.SIGKILL)
            new_pid = d.wait_plugin_running(plugin, other_than=pid, timeout=120)
            wait_until(metrics.reachable, 60, "the restarted plugin's metrics endpoint")
            down_seconds = time.monotonic() - killed
            wait_until(lambda: metrics.value("logship_streams_active") >= n, 120, f"{n} streams re-attached")
            reattached_seconds = time.monotonic() - killed
            time.sleep(10)
            after = sampler.now()
            log(f"killed {pid}; {new_pid} serving after {down_seconds:.1f} s, {n} streams re-attached after "
                f"{reattached_seconds:.1f} s: RSS {after[1]} KiB, {after[2]} threads, {after[3]} fds")

            # 4. Stop the fleet in batches, then wait for every line.
            for i, batch in enumerate(batches):
                (gate.dir / f"stop-{i}").touch()
                subprocess.run(["docker", "wait", *[names[k] for k in batch]], capture_output=True, timeout=120)
                time.sleep(args.pause / 2)
            remove_fleet()
            ends = {}

            def complete() -> bool:
                for key, r in rx.items():
                    for line in r.lines():
                        parts = line.split(b" ")
                        if len(parts) == 3 and parts[1] == b"end":
                            ends[int(parts[0][1:])] = int(parts[2])
                return len(ends) == n and sum(r.count() for r in rx.values()) >= sum(ends.values()) + n

            total = lambda: sum(r.count() for r in rx.values())  # noqa: E731
            last, still = -1, time.monotonic()
            while not complete() and time.monotonic() - still < 30:
                if total() != last:
                    last, still = total(), time.monotonic()
                time.sleep(2)
            sampler.stop()

            # 5. Every container's lines, where they arrived.
            per = {(key, k): [] for key in rx for k in range(n)}
            foreign = 0
            for key, r in rx.items():
                for line in r.lines():
                    parts = line.split(b" ")
                    if len(parts) == 2 and parts[1].isdigit():
                        k = int(parts[0][1:])
                        per[(key, k)].append(int(parts[1]))
                        if (route_of[k] == "a") != (key == "a"):
                            foreign += 1
            printed = delivered = lost = twice = unsplit = 0
            for k in range(n):
                end = ends.get(k)
                got = per[("a", k)] if route_of[k] == "a" else per[("b1", k)] + per[("b2", k)]
                if end is None:
                    end = max(got, default=0)
                report = analyze(sorted(got), 1, end) if end else None
                printed += end
                delivered += len(set(got))
                lost += report.missing_count if report else 0
                twice += len(got) - len(set(got))
                if route_of[k] == "b" and per[("b1", k)] and per[("b2", k)] and max(per[("b1", k)]) >= min(per[("b2", k)]):
                    unsplit += 1
            result.update(printed=printed, delivered=delivered, lost=lost, twice=twice, foreign=foreign, unsplit=unsplit,
                          missing_ends=n - len(ends), idle=idle, steady=steady, after=after,
                          peak_rss=sampler.peak(2), peak_threads=sampler.peak(3), peak_fds=sampler.peak(4),
                          start_seconds=start_seconds, generation_seconds=generation_seconds, latencies=latencies,
                          b_containers=len(b_names), down_seconds=down_seconds, reattached_seconds=reattached_seconds,
                          per_receiver={key: r.count() for key, r in rx.items()})
            log(f"printed {printed}, delivered {delivered}, lost {lost}, twice {twice}, at a wrong receiver {foreign}")
    finally:
        sampler.stop()
        gate.__exit__(None, None, None)
        for r in rx.values():
            r.stop()

    # The report.
    r = result
    lat = r["latencies"]
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    docker_version = d.docker("version", "--format", "{{.Server.Version}}").stdout.decode().strip()
    mem = int(open("/proc/meminfo").readline().split()[1]) / 2**20
    out = [
        "## Fleet: many containers, two routes, a route change and a crash",
        "",
        f"Generated by `{args.command}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, in "
        f"{time.monotonic() - began:.0f} s. Do not edit by hand.",
        "",
        f"- **Machine**: {os.cpu_count()} cores, {mem:.1f} GiB, Linux {platform.release()}; Docker {docker_version} (vfs); "
        f"load average at the end {' '.join(open('/proc/loadavg').read().split()[:3])}",
        f"- **logship**: commit {commit}, plugin `{plugin}` installed by `scripts/install.sh`",
        f"- **Fleet**: {n} containers (`logship-test-busybox`), started {args.batch} at a time with a {args.pause:g} s pause "
        f"(all up after {r['start_seconds']:.0f} s), each printing a numbered line every {args.interval * 1000:.0f} ms "
        f"(about {n / args.interval:.0f} lines/s in all); label `logship.route=a` on even, `b` on odd ones; "
        "routes.conf sends both as raw lines to Python TCP receivers",
        "- **Sequence**: all running for 5 s; routes.conf rewritten (atomic rename) so that `b` points at a new receiver; "
        "10 s later the plugin is killed with SIGKILL and Docker restarts it; 10 s later the containers are stopped "
        f"{args.batch} at a time",
        "",
        "| | |",
        "|---|--:|",
        f"| Lines printed | {r['printed']:,} |",
        f"| Lines delivered | {r['delivered']:,} |",
        f"| **Lines lost** | **{r['lost']}** |",
        f"| Lines delivered twice (the reads in flight at the kill) | {r['twice']:,} |",
        f"| Lines at a receiver their route never named | {r['foreign']} |",
        f"| `b` containers whose lines at the old and the new receiver overlap | {r['unsplit']} |",
        f"| Route change: new generation in force after | {r['generation_seconds'] * 1000:.0f} ms |",
        f"| Route change: `b` containers at the new receiver | {len(lat)} of {r['b_containers']} |",
        f"| Route change: first line at the new receiver, median / max over `b` containers | "
        f"{statistics.median(lat) * 1000:.0f} ms / {max(lat) * 1000:.0f} ms |",
        f"| Plugin down after SIGKILL (until it answered again) | {r['down_seconds']:.1f} s |",
        f"| All {n} streams re-attached after | {r['reattached_seconds']:.1f} s |",
        "",
        "The route-change latency includes up to one print interval: a container's first line after the change "
        "is printed up to "
        f"{args.interval * 1000:.0f} ms later.",
        "",
        "| Plugin process | RSS | Threads | Open descriptors |",
        "|---|--:|--:|--:|",
        f"| No containers | {r['idle'][1] / 1024:.1f} MiB | {r['idle'][2]} | {r['idle'][3]} |",
        f"| {n} streams | {r['steady'][1] / 1024:.1f} MiB | {r['steady'][2]} | {r['steady'][3]} |",
        f"| {n} streams, re-attached after the kill | {r['after'][1] / 1024:.1f} MiB | {r['after'][2]} | {r['after'][3]} |",
        f"| Peak over the run | {r['peak_rss'] / 1024:.1f} MiB | {r['peak_threads']} | {r['peak_fds']} |",
        "",
        "Threads: one reader per stream plus one sender per destination and a few of the plugin's own; descriptors: "
        "each stream's FIFO plus sockets, spool files and the plugin's own.",
    ]
    Path(args.out).write_text("\n".join(out) + "\n")
    ok = r["lost"] == 0 and r["foreign"] == 0 and r["missing_ends"] == 0
    if not ok:
        log(f"FAILED: lost {r['lost']}, foreign {r['foreign']}, containers without an end line {r['missing_ends']}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
