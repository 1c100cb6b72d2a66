"""Issue 10: multi-line messages, severity from the line, JSON lines as fields.

The plugin binary is driven like dockerd drives it (FIFO frames, StartLogging/StopLogging) into real
receivers: a private rsyslog (octet-counted syslog, its control-character escaping turned off so LFs
and TABs arrive as sent) and Python receivers for JSON lines and GELF.

- Stack traces between ordinary lines (`multiline-preset=java,python,go`) arrive as one message
  each, in order with the lines around them, through syslog, JSON and GELF; the per-destination
  metrics count them.
- A message followed by silence goes out after `multiline-timeout`, before the next line comes;
  the last message goes out at the end of the stream without waiting for the timeout; an idle
  stream wakes nobody up.
- Docker's 16 KiB pieces inside a joined message are put together first.
- A datetime format set host-wide joins; over UDP and unixgram a joined message is one datagram
  with its first line's time.
- Several streams, stdout and stderr interleaved frame by frame, are joined apart.
- `kill -9` twice while messages are in progress (some with 16 KiB pieces): no line is lost, and no
  message arrives with a line twice or with another message's lines.
- `level-from=auto` and `parse-json=true` through the three formats.
"""

from __future__ import annotations

import json
import os
import random
import re
import time

import pytest

from harness import expect, frames
from harness.fifo_writer import FifoWriter
from harness.multiline import GO_PANIC, JAVA_TRACE, PRESETS, PYTHON_TRACEBACK, traces_between_ordinary_lines
from harness.receivers import DatagramReceiver
from harness.rsyslog import Rsyslog
from harness.waiting import wait_until, wait_while_progressing


@pytest.fixture
def raw_rsyslog(short_tmp):
    """rsyslog that keeps control characters: a joined message's LFs and TABs arrive as sent."""
    r = Rsyslog(short_tmp / "rsyslog-raw", keep_control_characters=True).start()
    yield r
    r.stop(quiet=0.5)


def json_records(rx) -> list[dict]:
    return [json.loads(r) for r in rx.lines()]


def gelf_records(rx) -> list[dict]:
    return [json.loads(r) for r in rx.records(b"\0")]


class Destination:
    """One of the three ways out, with a uniform view of what arrived: (message, severity, record)."""

    def __init__(self, kind: str, receivers, rsyslog):
        self.kind = kind
        if kind == "syslog":
            self.rsyslog = rsyslog
            self.options = {"syslog-address": rsyslog.tcp_address}
        else:
            self.rx = receivers().start()
            self.options = {"tcp-address": self.rx.address, "tcp-format": kind}

    def arrived(self) -> list[tuple[str, int | None, dict]]:
        if self.kind == "syslog":
            return [(m["msg"], int(m["severity"]), m) for m in self.rsyslog.messages()]
        if self.kind == "json":
            return [(r["message"], None, r) for r in json_records(self.rx)]
        return [(r["short_message"], r["level"], r) for r in gelf_records(self.rx)]

    def messages(self) -> list[str]:
        return [m for m, _, _ in self.arrived()]

    def wait_for(self, n: int, timeout: float = 15) -> list[str]:
        wait_until(lambda: len(self.arrived()) >= n, timeout, f"{n} messages via {self.kind}",
                   describe=lambda: repr(self.messages())[-600:])
        return self.messages()


@pytest.fixture(params=["syslog", "json", "gelf"])
def destination(request, receivers, raw_rsyslog):
    return Destination(request.param, receivers, raw_rsyslog)


# -- traces between ordinary lines ------------------------------------------------------------------------
def test_traces_between_ordinary_lines_arrive_as_one_message_each(metered, stream_on, destination):
    p, m = metered()
    printed, expected = traces_between_ordinary_lines()
    s = stream_on(p, {**destination.options, "multiline-preset": PRESETS})
    s.log_lines(printed)
    got = destination.wait_for(len(expected))
    s.finish()
    time.sleep(0.3)
    assert destination.messages() == expected
    families = m.metrics()
    framing = {"syslog": "syslog-octet-counted", "json": "json", "gelf": "gelf"}[destination.kind]
    joined = families["logship_destination_joined_messages_total"].value(framing=framing)
    lines = families["logship_destination_joined_lines_total"].value(framing=framing)
    print(f"\n[{destination.kind}] {len(got)} messages; joined {joined:.0f} messages of {lines:.0f} lines")
    assert (joined, lines) == (3, len(JAVA_TRACE) + len(PYTHON_TRACEBACK) + len(GO_PANIC))


# -- when a message goes out ------------------------------------------------------------------------------
def test_a_message_followed_by_silence_goes_out_after_the_timeout(open_stream, receivers):
    rx = receivers().start()
    s = open_stream({"tcp-address": rx.address, "multiline-pattern": r"^\d{4}-", "multiline-timeout": "400ms"})
    started = time.monotonic()
    s.log_lines(["2026-11-26 first", "  continued"])
    rx.wait_for_lines(1, timeout=5)
    waited = time.monotonic() - started
    s.log("2026-11-26 next")
    rx.wait_for_lines(2, timeout=5)
    print(f"\n[timeout 400ms] the message arrived {waited * 1000:.0f} ms after it was written")
    assert [r["message"] for r in json_records(rx)] == ["2026-11-26 first\n  continued", "2026-11-26 next"]
    # Held until the timeout (not sent at once), and sent without waiting for the next line.
    assert 0.3 <= waited <= 0.4 + 1.5


def test_the_end_of_the_stream_sends_the_message_in_progress(open_stream, receivers):
    rx = receivers().start()
    s = open_stream({"tcp-address": rx.address, "multiline-preset": "java", "multiline-timeout": "1h"})
    s.log_lines(["ordinary"] + JAVA_TRACE)
    time.sleep(0.3)
    assert [r["message"] for r in json_records(rx)] == ["ordinary"]
    started = time.monotonic()
    s.finish()
    rx.wait_for_lines(2, timeout=5)
    print(f"\n[end of stream] the last message arrived {(time.monotonic() - started) * 1000:.0f} ms after StopLogging")
    assert [r["message"] for r in json_records(rx)] == ["ordinary", "\n".join(JAVA_TRACE)]


def _context_switches(pid: int) -> int:
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/status") as f:
                total += sum(int(l.split()[1]) for l in f if l.endswith("ctxt_switches\n") or "ctxt_switches:" in l)
        except OSError:
            pass
    return total


def test_an_idle_stream_wakes_nobody_up(plugin, open_stream, receivers):
    """Once the message in progress has gone out, nothing in the plugin runs: a polling timer would
    wake the reader (or another thread) over and over. Its threads' context switches are counted over
    two idle seconds."""
    rx = receivers().start()
    streams = [open_stream({"tcp-address": rx.address, "multiline-preset": "java", "multiline-timeout": "200ms"})
               for _ in range(3)]
    for s in streams:
        s.log("held until the timeout")
    rx.wait_for_lines(3, timeout=5)
    time.sleep(0.3)
    before = _context_switches(plugin.pid)
    time.sleep(2)
    switches = _context_switches(plugin.pid) - before
    print(f"\n[idle] {switches} context switches in 2 s with 3 idle multi-line streams")
    assert switches <= 4


# -- Docker's 16 KiB pieces inside a message ---------------------------------------------------------------
def test_16_kib_pieces_inside_a_joined_message_are_put_together_first(open_stream, receivers):
    rx = receivers().start()
    long_line = "  " + "x" * 40_000
    s = open_stream({"tcp-address": rx.address, "tcp-format": "gelf", "multiline-pattern": r"^\S"})
    s.write(b"".join(frames.line_frames(l) for l in ["head", long_line, "  tail", "next"]))
    s.finish()
    wait_until(lambda: len(gelf_records(rx)) >= 2, 10, "2 GELF messages")
    assert [r["short_message"] for r in gelf_records(rx)] == ["\n".join(["head", long_line, "  tail"]), "next"]


# -- datagrams, a host-wide datetime format, the first line's time --------------------------------------------
@pytest.mark.parametrize("transport", ["udp", "unixgram"])
def test_a_host_wide_datetime_format_joins_into_one_datagram_with_the_first_lines_time(start_plugin, stream_on,
                                                                                      short_tmp, transport):
    """MULTILINE_DATETIME_FORMAT set for the whole host (no --log-opt) joins; over UDP and unixgram a
    joined message is one datagram holding its LFs (no octet counting there), stamped with its first
    line's time."""
    p = start_plugin({"MULTILINE_DATETIME_FORMAT": "%Y-%m-%d %H:%M:%S"})
    path = str(short_tmp / "joined.sock") if transport == "unixgram" else None
    with DatagramReceiver(path=path) as rx:
        s = stream_on(p, {"syslog-address": rx.address})
        base = 1_795_000_000_000_000_000  # 2026-11-18T11:06:40Z, one second per line
        lines = ["2026-11-26 16:16:21 first", "  detail a", "\tdetail b", "2026-11-26 16:16:22 second",
                 "no timestamp: joins the second"]
        for i, line in enumerate(lines):
            s.log(line, time_nano=base + i * 1_000_000_000)
        s.finish()
        datagrams = rx.wait_for_datagrams(2, timeout=10)
        time.sleep(0.3)
        datagrams = rx.datagrams()
    parsed = [expect.parse_rfc5424(d) for d in datagrams]
    assert [m["msg"].decode() for m in parsed] == ["\n".join(lines[:3]), "\n".join(lines[3:])]
    assert [m["time"].timestamp() for m in parsed] == [base / 1e9, (base + 3_000_000_000) / 1e9]


# -- several streams, stdout and stderr interleaved --------------------------------------------------------
def test_streams_and_their_stdout_and_stderr_are_joined_apart(plugin, open_stream, receivers):
    rx = receivers().start()
    streams = [open_stream({"tcp-address": rx.address, "multiline-preset": PRESETS}, name=f"/app{k}") for k in range(4)]
    expected = {}
    for k, s in enumerate(streams):
        out = [f"s{k} out {i}" for i in range(3)] + JAVA_TRACE + [f"s{k} out end"]
        err = [f"s{k} err {i}" for i in range(3)] + PYTHON_TRACEBACK + [f"s{k} err end"]
        # One frame at a time, stdout and stderr alternating, as Docker's two copiers write them.
        interleaved = [f for pair in zip(out + [None] * len(err), err + [None] * len(out)) for f in pair]
        stream_frames = []
        for i, line in enumerate(interleaved):
            if line is not None:
                stream_frames.append(frames.line_frames(line, "stdout" if i % 2 == 0 else "stderr"))
        s.write(b"".join(stream_frames))
        expected[(s.container_id, "stdout")] = out[:3] + ["\n".join(JAVA_TRACE), out[-1]]
        expected[(s.container_id, "stderr")] = err[:3] + ["\n".join(PYTHON_TRACEBACK), err[-1]]
    for s in streams:
        s.finish()
    total = sum(len(v) for v in expected.values())
    rx.wait_for_lines(total, timeout=15)
    got: dict = {}
    for r in json_records(rx):
        got.setdefault((r["container_id"], r["source"]), []).append(r["message"])
    assert got == expected


# -- kill -9 while messages are in progress ----------------------------------------------------------------
HEAD = re.compile(r"^M(\d{5}) start$")
CONTINUATION = re.compile(r"^  M(\d{5}) line (\d{3}) x*$")


def _message_lines(n: int, rnd: random.Random) -> list[str]:
    lines = [f"M{n:05d} start"]
    for i in range(1, rnd.randint(1, 12) + 1):
        pad = 20_000 if n % 10 == 3 and i == 2 else rnd.randint(0, 60)  # every tenth has 16 KiB pieces
        lines.append(f"  M{n:05d} line {i:03d} " + "x" * pad)
    return lines


def _parse_message(text: str) -> list[tuple[int, int]] | None:
    """The (message, line) numbers of a message's lines; None if a line is not one we wrote."""
    out = []
    for line in text.split("\n"):
        if h := HEAD.match(line):
            out.append((int(h.group(1)), 0))
        elif c := CONTINUATION.match(line):
            out.append((int(c.group(1)), int(c.group(2))))
        else:
            return None
    return out


def test_kill_9_while_messages_are_in_progress_loses_no_line(start_plugin, stream_on, receivers):
    """400 messages of 2 to 13 lines, each line (each 16 KiB piece) its own write, 3 ms apart, so a
    message is in progress at any moment; the plugin is killed with SIGKILL at a third and at two
    thirds and restarted. Every line arrives; every message that arrives is a run of consecutive lines
    of one message, starting at its head (a message cut at a crash arrives as two, the second starting
    mid-way, which is allowed; a line twice inside one message or lines of two messages are not)."""
    p = start_plugin()
    rx = receivers().start()
    s = stream_on(p, {"tcp-address": rx.address, "multiline-pattern": "^M", "multiline-timeout": "5s",
                      "max-line-size": "64k"})
    rnd = random.Random(10)
    written = {n: _message_lines(n, rnd) for n in range(400)}
    chunks = [f for lines in written.values() for line in lines for f in frames.line_frame_list(line)]
    chunks += frames.line_frame_list("M99999 start")  # ends the last message
    writer = FifoWriter(s.fd, chunks, interval=0.003, stall_timeout=60).start()
    kills = []
    for fraction in (1 / 3, 2 / 3):
        wait_until(lambda: writer.chunks_done >= fraction * len(chunks), 60, f"the writer {fraction:.0%} through")
        kills.append(writer.chunks_done)
        p.kill()
        p.restart()
    writer.join(120)
    s.finish()
    every_line = {(n, i) for n, lines in written.items() for i in range(len(lines))}

    def seen():
        out = set()
        for r in json_records(rx):
            out.update(_parse_message(r["message"]) or [])
        return out

    wait_while_progressing(lambda: every_line <= seen(), lambda: len(seen()), timeout=60, stall=10)
    rx.stop_draining()
    messages = [r["message"] for r in json_records(rx) if not r["message"].startswith("M99999")]
    malformed, broken, split, twice = [], [], 0, 0
    arrived: dict[int, int] = {}
    for text in messages:
        numbers = _parse_message(text)
        if numbers is None:
            malformed.append(text[:120])
            continue
        n = numbers[0][0]
        if any(m != n for m, _ in numbers) or [i for _, i in numbers] != list(range(numbers[0][1], numbers[0][1] + len(numbers))):
            broken.append(text[:200])
        if numbers[0][1] != 0 or len(numbers) != len(written[n]):
            split += 1
        if numbers[0][1] == 0:
            arrived[n] = arrived.get(n, 0) + 1
    twice = sum(c - 1 for c in arrived.values())
    missing = sorted(every_line - seen())
    print(f"\n[multi-line, 2 x kill -9] kills after {kills} of {len(chunks)} writes; {len(messages)} messages for "
          f"{len(written)} written: {split} parts of split messages, {twice} messages twice; missing lines: {len(missing)}")
    assert not malformed, f"messages with lines we never wrote: {malformed[:3]}"
    assert not broken, f"messages with a line twice or lines of two messages: {broken[:3]}"
    assert not missing, f"{len(missing)} lines lost, e.g. {missing[:10]}"


# -- severity from the line, JSON lines as fields ----------------------------------------------------------
def test_level_from_auto_and_parse_json_through_every_format(open_stream, destination):
    s = open_stream({**destination.options, "level-from": "auto", "parse-json": "true"})
    s.log("<3>boom")
    s.log('{"level":"warn","msg":"careful","user":"u1","n":5,"ctx":{"a":1}}')
    s.log("ERROR something failed")
    s.log("just saying")
    s.log("[debug] details", source="stderr")
    s.log("plain on stderr", source="stderr")
    destination.wait_for(6)
    arrived = destination.arrived()
    assert [m for m, _, _ in arrived] == ["boom", "careful", "ERROR something failed", "just saying", "[debug] details",
                                          "plain on stderr"]
    severities = [3, 4, 3, 6, 7, 3]
    if destination.kind == "json":
        assert [r["level"] for _, _, r in arrived] == ["err", "warning", "err", "info", "debug", "err"]
        fields = arrived[1][2]["fields"]
        assert fields == {"level": "warn", "msg": "careful", "user": "u1", "n": 5, "ctx": {"a": 1}}
        assert all("fields" not in r for i, (_, _, r) in enumerate(arrived) if i != 1)
    else:
        assert [sev for _, sev, _ in arrived] == severities
    if destination.kind == "gelf":
        record = arrived[1][2]
        assert (record["_level"], record["_user"], record["_n"], record["_ctx"]) == ("warn", "u1", 5, '{"a":1}')
        assert "_msg" not in record
    if destination.kind == "syslog":
        record = arrived[1][2]
        parsed = expect.parse_rfc5424((record["raw"] + "\n").encode())
        assert expect.parse_sd(parsed["sd"]) == {"fields@32473": {"level": "warn", "user": "u1", "n": "5", "ctx": '{"a":1}'}}
        assert expect.parse_sd(record["structured_data"]) == expect.parse_sd(parsed["sd"])


def test_raw_format_and_lf_framing_refuse_multi_line_options(plugin, stream_on, receivers):
    rx = receivers().start()
    raw = stream_on(plugin, {"tcp-address": rx.address, "tcp-format": "raw", "multiline-preset": "java"}, expect_ok=False)
    lf = stream_on(plugin, {"syslog-address": "tcp://127.0.0.1:9", "syslog-framing": "non-transparent",
                            "multiline-pattern": "^x"}, expect_ok=False)
    for stream, options in ((raw, ("tcp-format", "multiline-preset")), (lf, ("syslog-framing", "multiline-pattern"))):
        response = stream.responses[0]
        assert not response.ok
        # "log-opt NAME" is how a refused value is named; an unknown option reads `unknown log-opt "NAME"`.
        assert all(f"log-opt {o}" in response.err for o in options), response.err
        assert "cannot carry the multi-line messages" in response.err, response.err
