#!/usr/bin/env python3
"""The plugin's CPU per line on a real engine with multi-line joining on and off, side by side.

`seq 1 N` in a busybox container through the installed plugin to one receiver (line-sink.c), once
per path and round, paths alternating; the plugin's utime+stime (/proc/PID/stat, all its threads,
ended ones included) from before `docker run` until the receiver counted the N-th line. Every line
of `seq` matches the patterns and none is a trace, so with each option every line is held until the
next one arrives and sent on its own: the most work joining can take, with nothing saved by joining.
Prints a markdown section on stdout (scripts/bench-multiline.sh splices it into BENCHMARKS.md).

Usage: multiline-e2e.py PLUGIN IMAGE LINES ROUNDS SINK_BINARY
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

PATHS = {
    "off": {},
    "pattern (automaton)": {"multiline-pattern": r"^\d"},
    "pattern (regexec)": {"multiline-pattern": r"[0-9]$"},
    "preset": {"multiline-preset": "java,python,go"},
}


def plugin_pid(plugin: str) -> int:
    """The plugin's /usr/bin/logship, found by the plugin id in its shim's command line or cgroup."""
    plugin_id = subprocess.run(["docker", "plugin", "inspect", "-f", "{{.Id}}", plugin], check=True,
                               capture_output=True, text=True).stdout.strip()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if not f.read().startswith(b"/usr/bin/logship"):
                    continue
            with open(f"/proc/{pid}/stat") as f:
                ppid = f.read().rsplit(")", 1)[1].split()[1]
            with open(f"/proc/{ppid}/cmdline", "rb") as f:
                shim = f.read()
            with open(f"/proc/{pid}/cgroup", "rb") as f:
                cgroup = f.read()
            if plugin_id.encode() in shim or plugin_id.encode() in cgroup:
                return int(pid)
        except OSError:
            continue
    raise SystemExit(f"the process of plugin {plugin} was not found")


def ticks(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


class Sink:
    def __init__(self, binary: str):
        self.proc = subprocess.Popen([binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        word, port = self.proc.stdout.readline().split()
        assert word == "port"
        self.port = int(port)

    def ask(self, command: str, answer: str) -> str:
        self.proc.stdin.write(command + "\n")
        while True:
            line = self.proc.stdout.readline()
            if line.startswith(answer):
                return line

    def expect(self, n: int) -> None:
        self.ask(f"expect {n}", "ok")

    def wait_reached(self, timeout: float) -> bool:
        import select
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.5)
            if ready and self.proc.stdout.readline().startswith("reached"):
                return True
        return False

    def count(self) -> int:
        return int(self.ask("count", "count ").split()[1])


def main() -> int:
    plugin, image, lines, rounds, sink_binary = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    pid = plugin_pid(plugin)
    sink = Sink(sink_binary)
    clk = os.sysconf("SC_CLK_TCK")
    runs: dict[str, list[tuple[float, float, int]]] = {p: [] for p in PATHS}
    for round_number in range(rounds + 1):  # round 0 warms up
        for path, options in PATHS.items():
            n = 10_000 if round_number == 0 else lines
            sink.expect(n)
            args = ["docker", "run", "--rm", "--network=none", "--log-driver", plugin,
                    "--log-opt", f"syslog-address=tcp://127.0.0.1:{sink.port}"]
            for key, value in options.items():
                args += ["--log-opt", f"{key}={value}"]
            before, started = ticks(pid), time.monotonic()
            subprocess.run(args + [image, "seq", "1", str(n)], check=True, stdout=subprocess.DEVNULL)
            if not sink.wait_reached(60):
                raise SystemExit(f"{path}: only {sink.count()} of {n} lines arrived")
            cpu, wall = ticks(pid) - before, time.monotonic() - started
            time.sleep(0.5)
            received = sink.count()
            if round_number > 0:
                runs[path].append((cpu / clk / n * 1e6, wall, received))
            print(f"[multiline-e2e] round {round_number} {path}: {cpu} ticks, {wall:.2f} s, {received} lines", file=sys.stderr)
    off = statistics.median(r[0] for r in runs["off"])
    print(f"`seq 1 {lines:,}` through plugin `{plugin}` to syslog over TCP, medians of {rounds} alternating rounds.\n")
    print("| path | plugin µs/line (CPU) | × off | delivered (s) | lines received |")
    print("|---|--:|--:|--:|--:|")
    for path, options in PATHS.items():
        cpu = statistics.median(r[0] for r in runs[path])
        wall = statistics.median(r[1] for r in runs[path])
        option = ", ".join(f"`{k}={v}`" for k, v in options.items()) or "no multi-line option"
        print(f"| {path}: {option} | {cpu:.3f} | {cpu / off:.2f} | {wall:.2f} | {min(r[2] for r in runs[path]):,} |")
    sink.proc.stdin.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
