#!/usr/bin/env python3
"""RELP next to plain TCP into the same rsyslog: lines/s and CPU per line (scripts/bench-relp.sh).

The logship binary is played as the daemon (Tests/Harness): each run opens a container stream,
writes N numbered lines into its FIFO as fast as the plugin takes them and ends it; the run lasts
from the first write until the last line is in rsyslog's output file. One rsyslog serves every
path of a table (an imtcp and an imrelp input into one ruleset), and the paths alternate within
each round. Every run is checked complete (N records with its tag). Two rulesets:

  durable   what README's receiver recipe asks for: a Direct queue and omfile with asyncWriting
            off, so that each message is written before it is acknowledged
  buffered  rsyslog's defaults (the main queue, a buffered omfile): what the protocol itself costs
            once rsyslog's per-message write is out of the way

Prints the markdown section (BENCHMARKS.md's "relp"), the raw runs on stderr.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "Tests" / "Harness"))

from harness import frames  # noqa: E402
from harness.plugin_process import DaemonStream, PluginProcess, make_info  # noqa: E402
from harness.receivers import free_port  # noqa: E402
from harness.rsyslog_relp import RELPRsyslog  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
# rsyslog's omrelp with its default window of 128 stalled here at under 2,000 lines/s (the delayed
# ACKs its answers wait for); with 1,024 it shows what rsyslog's own RELP sender reaches.
OMRELP_WINDOW = 1024


def wait_for_last_line(rx, last: bytes, tag: str, started: float, offset: int = 0) -> None:
    """Until rsyslog's output file, from `offset` on, holds `last`; reads only its tail each time."""
    size = offset
    while True:
        with open(rx.output_path, "rb") as f:
            f.seek(max(offset, size - 4096))
            tail = f.read()
            size = f.tell()
        if last in tail:
            return
        if time.monotonic() - started > 600:
            raise AssertionError(f"{tag}: the last line did not arrive in 600 s")
        time.sleep(0.005)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def numbered_frames(n: int, tag: str) -> bytes:
    # The hand-written encoder: the protobuf package would take longer than the runs.
    stamp = time.time_ns()
    return b"".join(frames.frame(frames.handmade_entry(b"%s %07d" % (tag.encode(), i), time_nano=stamp))
                    for i in range(1, n + 1))


def run(plugin: PluginProcess, rx: RELPRsyslog, fifo_dir: Path, options: dict[str, str], tag: str, n: int) -> dict:
    data = numbered_frames(n, tag)
    last = b"%s %07d" % (tag.encode(), n)
    marker = b"\x1f%s\x1f-\x1f%s\x1f" % (tag.encode(), tag.encode())  # APP-NAME, PROCID, MSGID of a record
    # Each run is checked in what it added to the output file, which is emptied afterwards (rsyslog
    # appends), so a million-line run neither reads nor keeps the runs before it.
    offset = rx.output_path.stat().st_size if rx.output_path.exists() else 0
    stream = DaemonStream(plugin.client(), fifo_dir, make_info({**options, "tag": tag}))
    response = stream.start()
    assert response.ok, response.body
    plugin_cpu, rsyslog_cpu = cpu_seconds(plugin.pid), cpu_seconds(rx.proc.pid)
    started = time.monotonic()
    stream.write(data, timeout=600)
    stream.finish()
    wait_for_last_line(rx, last, tag, started)
    seconds = time.monotonic() - started
    plugin_cpu = cpu_seconds(plugin.pid) - plugin_cpu
    rsyslog_cpu = cpu_seconds(rx.proc.pid) - rsyslog_cpu
    with open(rx.output_path, "rb") as f:
        f.seek(offset)
        received = f.read().count(marker)
    assert received == n, f"{tag}: {received} of {n} lines arrived"
    os.truncate(rx.output_path, 0)
    return {"seconds": seconds, "plugin_cpu": plugin_cpu, "rsyslog_cpu": rsyslog_cpu}


def omrelp_run(rx: RELPRsyslog, workdir: Path, tag: str, n: int, window: int) -> dict:
    """rsyslog's own RELP sender into the same imrelp, for reference: a second rsyslogd takes the
    lines over TCP into an in-memory queue and forwards them with omrelp; timed from the first line
    sent to it until the last is in the receiver's output."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    conf = workdir / "omrelp.conf"
    conf.write_text(f'global(workDirectory="{workdir}" net.enableDNS="off")\n'
                    'module(load="imtcp")\nmodule(load="omrelp")\n'
                    f'ruleset(name="fwd" queue.type="LinkedList" queue.size="{n + 1000}") '
                    f'{{ action(type="omrelp" target="127.0.0.1" port="{rx.relp_port}" windowSize="{window}") }}\n'
                    f'input(type="imtcp" address="127.0.0.1" port="{port}" ruleset="fwd")\n')
    sender = subprocess.Popen(["rsyslogd", "-n", "-f", str(conf), "-i", str(workdir / "omrelp.pid")],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=1)
                connection.settimeout(None)  # the timeout is for connecting: sendall waits for rsyslog to read
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        offset = rx.output_path.stat().st_size
        lines = b"".join(b"<30>1 2026-01-01T00:00:00.000000Z vm %s - %s - %s %07d\n" % (tag.encode(), tag.encode(), tag.encode(), i)
                         for i in range(1, n + 1))
        last = b"%s %07d" % (tag.encode(), n)
        sender_cpu, rsyslog_cpu = cpu_seconds(sender.pid), cpu_seconds(rx.proc.pid)
        started = time.monotonic()
        connection.sendall(lines)
        connection.close()
        wait_for_last_line(rx, last, tag, started, offset)
        seconds = time.monotonic() - started
        result = {"seconds": seconds, "plugin_cpu": cpu_seconds(sender.pid) - sender_cpu,
                  "rsyslog_cpu": cpu_seconds(rx.proc.pid) - rsyslog_cpu}
    finally:
        sender.terminate()
        sender.wait(timeout=30)
    with open(rx.output_path, "rb") as f:
        f.seek(offset)
        # omrelp forwards in rsyslog's own format, not RFC 5424: count the lines by their text.
        received = len(set(re.findall(rb"%s \d{7}" % tag.encode(), f.read())))
    assert received == n, f"{tag}: {received} of {n} lines arrived"
    os.truncate(rx.output_path, 0)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--windows", default="128,16,1024", help="RELP windows to measure, the first is the default's row")
    parser.add_argument("--command", default="scripts/bench-relp.sh")
    args = parser.parse_args()
    windows = [int(w) for w in args.windows.split(",")]
    paths = [("tcp", None)] + [("relp", w) for w in windows]
    began = time.time()
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    results: dict[tuple[str, str], list[dict]] = {}
    raw_rows = []
    for ruleset in ("durable", "buffered"):
        with tempfile.TemporaryDirectory(prefix="lrb-", dir="/tmp") as tmp:
            tmp = Path(tmp)
            rx = RELPRsyslog(tmp / "rx", durable=ruleset == "durable").start()
            plugin = PluginProcess(args.binary).start()
            (tmp / "fifo").mkdir()
            try:
                for round_ in range(1, args.rounds + 1):
                    for kind, window in paths:
                        name = "tcp://" if kind == "tcp" else f"relp:// window {window}"
                        options = {"syslog-address": rx.tcp_address} if kind == "tcp" else \
                            {"syslog-address": rx.relp_address, "syslog-relp-window": str(window)}
                        tag = f"b{ruleset[0]}{round_}{kind}{window or ''}"
                        result = run(plugin, rx, tmp / "fifo", options, tag, args.lines)
                        results.setdefault((ruleset, name), []).append(result)
                        raw_rows.append((ruleset, name, round_, result))
                        print(f"{ruleset:8} {name:22} round {round_}: {args.lines / result['seconds']:>10,.0f} lines/s, "
                              f"plugin {result['plugin_cpu'] * 1e6 / args.lines:.2f} µs/line, "
                              f"rsyslog {result['rsyslog_cpu'] * 1e6 / args.lines:.2f} µs/line", file=sys.stderr)
                    if ruleset == "durable":
                        name = f"omrelp window {OMRELP_WINDOW}"
                        result = omrelp_run(rx, tmp / "omrelp", f"bo{round_}", args.lines, OMRELP_WINDOW)
                        results.setdefault((ruleset, name), []).append(result)
                        raw_rows.append((ruleset, name, round_, result))
                        print(f"{ruleset:8} {name:22} round {round_}: {args.lines / result['seconds']:>10,.0f} lines/s, "
                              f"omrelp's rsyslogd {result['plugin_cpu'] * 1e6 / args.lines:.2f} µs/line, "
                              f"rsyslog {result['rsyslog_cpu'] * 1e6 / args.lines:.2f} µs/line", file=sys.stderr)
            finally:
                plugin.stop()
                rx.stop(quiet=0.3)
    took = time.time() - began
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    rsyslog = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "rsyslog"], capture_output=True, text=True).stdout
    librelp = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "librelp0"], capture_output=True, text=True).stdout
    out = []
    out.append(f"Generated by `{args.command}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, in {took:.0f} s. Do not edit by hand.\n")
    out.append(f"- **Machine**: {os.cpu_count()} cores, load average before {' '.join(load_before)}, after "
               f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    out.append(f"- **logship**: commit {commit}, release build; {swift}")
    out.append(f"- **Receiver**: rsyslog {rsyslog} with librelp {librelp}, one instance per table with an imtcp and an imrelp "
               "input into the same ruleset\n")
    out.append(f"The binary is played as the daemon (`Tests/Harness`): one stream per run, {args.lines:,} numbered lines written "
               "into its FIFO as fast as the plugin takes them (about 30 bytes each, rfc5424micro messages of about 90), "
               "timed from the first write until the last line is in rsyslog's output file; every run is checked complete. "
               f"Medians of {args.rounds} rounds, paths alternating. CPU is utime+stime from `/proc/PID/stat` over the run, "
               "per line: *sender* is the logship plugin (every thread: FIFO reader, formatting, spool, sender), or for the "
               f"omrelp row a second rsyslogd that takes the same lines over TCP and forwards them with omrelp (window "
               f"{OMRELP_WINDOW}: with its default of 128 it stalled here under 2,000 lines/s). *rsyslog busy* is "
               "rsyslog's CPU time over the run's duration: with the durable ruleset imrelp's one thread reads, writes "
               "and answers every message, so near 100 % the receiver is the limit, not the sender.\n")
    tcp_speed = {}
    for ruleset, title in (("durable", "Durable ruleset (the receiver recipe: `queue.type=\"Direct\"`, omfile `asyncWriting=\"off\"`): "
                                       "an acknowledged message is a written one"),
                           ("buffered", "rsyslog's default ruleset (main queue, buffered omfile): the protocol's own cost")):
        out.append(f"### {title}\n")
        out.append("| Path | Lines/s | × TCP | Best lines/s | sender µs/line | rsyslog µs/line | rsyslog busy |")
        out.append("|---|--:|--:|--:|--:|--:|--:|")
        rows = paths + ([("omrelp", OMRELP_WINDOW)] if ruleset == "durable" else [])
        for kind, window in rows:
            name = {"tcp": "tcp://", "relp": f"relp:// window {window}", "omrelp": f"omrelp window {window}"}[kind]
            runs = results[(ruleset, name)]
            speed = statistics.median(args.lines / r["seconds"] for r in runs)
            if kind == "tcp":
                tcp_speed[ruleset] = speed
            best = max(args.lines / r["seconds"] for r in runs)
            plugin_us = statistics.median(r["plugin_cpu"] for r in runs) * 1e6 / args.lines
            rsyslog_us = statistics.median(r["rsyslog_cpu"] for r in runs) * 1e6 / args.lines
            busy = statistics.median(r["rsyslog_cpu"] / r["seconds"] for r in runs)
            label = name + (" (default)" if kind == "relp" and window == 128 else "") + \
                (" (rsyslog → rsyslog, for reference)" if kind == "omrelp" else "")
            out.append(f"| {label} | {speed:,.0f} | {speed / tcp_speed[ruleset]:.2f} | {best:,.0f} | {plugin_us:.2f} | {rsyslog_us:.2f} | {busy:.0%} |")
        out.append("")
    out.append("<details><summary>Every run</summary>\n")
    out.append("| Ruleset | Path | Round | Seconds | sender CPU (s) | rsyslog CPU (s) |")
    out.append("|---|---|--:|--:|--:|--:|")
    for ruleset, name, round_, r in raw_rows:
        out.append(f"| {ruleset} | {name} | {round_} | {r['seconds']:.2f} | {r['plugin_cpu']:.2f} | {r['rsyslog_cpu']:.2f} |")
    out.append("\n</details>")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
