"""Issue 10 on a real engine: containers print stack traces, levelled lines and JSON lines through
the installed plugin into rsyslog (octet-counted; its control-character escaping off, so LFs and
TABs arrive as printed), a JSON-lines receiver and a GELF receiver.

Run against your own build with LOGSHIP_PLUGIN=<name> (installed with `PLUGIN_NAME=<name>
scripts/install.sh`) and LOGSHIP_TEST_NAME_PREFIX=<prefix> on a shared engine.
"""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import datetime

import pytest

from harness import docker as d
from harness import expect
from harness.multiline import JAVA_TRACE, PRESETS, shell_printf, traces_between_ordinary_lines
from harness.receivers import StreamReceiver
from harness.rsyslog import Rsyslog
from harness.waiting import wait_until


@pytest.fixture
def raw_rsyslog(short_tmp):
    r = Rsyslog(short_tmp / "rsyslog-raw", keep_control_characters=True).start()
    yield r
    r.stop(quiet=0.5)


class Out:
    """A way out (syslog via rsyslog, json, gelf) and what arrived through it: (message, severity, record)."""

    def __init__(self, kind: str, rsyslog: Rsyslog | None = None):
        self.kind = kind
        self.rsyslog = rsyslog
        if kind == "syslog":
            self.options = {"syslog-address": rsyslog.tcp_address}
        else:
            self.rx = StreamReceiver().start()
            self.options = {"tcp-address": self.rx.address, "tcp-format": kind}

    def arrived(self) -> list[tuple[str, int | None, dict]]:
        if self.kind == "syslog":
            return [(m["msg"], int(m["severity"]), m) for m in self.rsyslog.messages()]
        if self.kind == "json":
            return [(r["message"], None, r) for r in map(json.loads, self.rx.lines())]
        return [(r["short_message"], r["level"], r) for r in map(json.loads, self.rx.records(b"\0"))]

    def wait_for(self, n: int, timeout: float = 20) -> list[tuple[str, int | None, dict]]:
        wait_until(lambda: len(self.arrived()) >= n, timeout, f"{n} messages via {self.kind}",
                   describe=lambda: repr([m for m, _, _ in self.arrived()])[-800:])
        time.sleep(0.3)  # anything more (a line split off, a message twice) would arrive by now
        return self.arrived()

    def close(self) -> None:
        if self.kind != "syslog":
            self.rx.stop()


@pytest.fixture(params=["syslog", "json", "gelf"])
def out(request, raw_rsyslog):
    o = Out(request.param, raw_rsyslog)
    yield o
    o.close()


def test_java_python_and_go_traces_arrive_as_one_message_each(out):
    printed, expected = traces_between_ordinary_lines()
    run = d.run_container(["sh", "-c", shell_printf(printed)], {**out.options, "multiline-preset": PRESETS})
    assert run.returncode == 0, run.stderr
    got = [m for m, _, _ in out.wait_for(len(expected))]
    assert got == expected


def test_a_message_followed_by_silence_arrives_within_the_timeout_before_the_next_line():
    with StreamReceiver() as rx:
        seen: dict[str, float] = {}
        stop = threading.Event()

        def watch():
            while not stop.is_set():
                for line in rx.lines():
                    seen.setdefault(json.loads(line)["message"], time.time())
                time.sleep(0.02)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        script = "printf '2026-11-26 first\\n  continued\\n'; sleep 3; echo '2026-11-26 next'"
        run = d.run_container(["sh", "-c", script], {"tcp-address": rx.address, "multiline-pattern": r"^\d{4}-",
                                                     "multiline-timeout": "500ms"})
        assert run.returncode == 0, run.stderr
        rx.wait_for_lines(2)
        stop.set()
        watcher.join(2)
        records = {r["message"]: r for r in map(json.loads, rx.lines())}
    first, nxt = "2026-11-26 first\n  continued", "2026-11-26 next"
    assert list(records) == [first, nxt]
    printed = datetime.fromisoformat(records[first]["time"][:26] + "+00:00").timestamp()
    printed_next = datetime.fromisoformat(records[nxt]["time"][:26] + "+00:00").timestamp()
    delay = seen[first] - printed
    print(f"\n[timeout 500ms] the message arrived {delay * 1000:.0f} ms after Docker read it; "
          f"the next line was printed {(printed_next - seen[first]) * 1000:.0f} ms later")
    assert seen[first] < printed_next, "the message waited for the next line"
    assert 0.4 <= delay <= 0.5 + 1.0


def test_the_last_message_arrives_when_the_container_exits():
    with StreamReceiver() as rx:
        run = d.run_container(["sh", "-c", shell_printf(["starting"] + JAVA_TRACE)],
                              {"tcp-address": rx.address, "multiline-preset": "java", "multiline-timeout": "1h"})
        assert run.returncode == 0, run.stderr
        rx.wait_for_lines(2, timeout=10)
        assert [json.loads(l)["message"] for l in rx.lines()] == ["starting", "\n".join(JAVA_TRACE)]
        print(f"\n[exit] the last message arrived {(time.time() - run.finished) * 1000:.0f} ms after docker run returned (or earlier)")


def test_16_kib_pieces_inside_a_joined_message_are_reassembled_first(raw_rsyslog):
    script = "echo head; printf '  '; head -c 40000 /dev/zero | tr '\\0' x; echo; echo '  tail'; echo next"
    run = d.run_container(["sh", "-c", script], {"syslog-address": raw_rsyslog.tcp_address, "multiline-pattern": r"^\S"})
    assert run.returncode == 0, run.stderr
    raw_rsyslog.wait_for(2)
    time.sleep(0.3)
    assert [m["msg"] for m in raw_rsyslog.messages()] == ["head\n  " + "x" * 40000 + "\n  tail", "next"]


@pytest.mark.parametrize("options,named", [
    ({"multiline-pattern": "^(?=x)"}, ["multiline-pattern"]),
    ({"multiline-preset": "ruby"}, ["multiline-preset"]),
    ({"multiline-preset": "java", "multiline-timeout": "soon"}, ["multiline-timeout"]),
    ({"tcp-address": "tcp://127.0.0.1:9", "tcp-format": "raw", "multiline-preset": "java"}, ["tcp-format", "multiline-preset"]),
    ({"syslog-address": "tcp://127.0.0.1:9", "syslog-framing": "non-transparent", "multiline-pattern": "^x"},
     ["syslog-framing", "multiline-pattern"]),
])
def test_bad_values_fail_docker_run_naming_the_option(options, named):
    options = {"syslog-address": "udp://127.0.0.1:9", **options}
    run = d.run_container(["echo", "never runs"], options)
    assert run.returncode != 0
    # Refused for its value (`invalid value "..." for log-opt NAME`, or the combination naming both),
    # not as an option the plugin does not know (`unknown log-opt "NAME"`).
    assert "unknown log-opt" not in run.stderr, run.stderr
    for name in named:
        assert f"log-opt {name}" in run.stderr, run.stderr
    assert b"never runs" not in run.stdout


GELF_NAME = re.compile(r"^_[\w.\-]+$")


def test_level_from_and_parse_json_agree_across_formats(out):
    lines = ["<3>boom", '{"level":"warn","msg":"careful","user":"u1","n":5,"ctx":{"a":1}}', "ERROR something failed",
             "fine"]
    run = d.run_container(["sh", "-c", shell_printf(lines)], {**out.options, "level-from": "auto", "parse-json": "true"})
    assert run.returncode == 0, run.stderr
    arrived = out.wait_for(4)
    assert [m for m, _, _ in arrived] == ["boom", "careful", "ERROR something failed", "fine"]
    severities = [3, 4, 3, 6]
    record = arrived[1][2]
    if out.kind == "syslog":
        assert [s for _, s, _ in arrived] == severities
        assert [m["raw"][:4] for _, _, m in arrived] == ["<27>", "<28>", "<27>", "<30>"]
        # What a strict RFC 5424 parser makes of it, and what rsyslog made of it, agree.
        parsed = expect.parse_rfc5424((record["raw"] + "\n").encode())
        params = {"level": "warn", "user": "u1", "n": "5", "ctx": '{"a":1}'}
        assert expect.parse_sd(parsed["sd"]) == {"fields@32473": params}
        assert expect.parse_sd(record["structured_data"]) == {"fields@32473": params}
    elif out.kind == "json":
        assert [r["level"] for _, _, r in arrived] == ["err", "warning", "err", "info"]
        assert record["fields"] == {"level": "warn", "msg": "careful", "user": "u1", "n": 5, "ctx": {"a": 1}}
    else:
        assert [s for _, s, _ in arrived] == severities
        assert (record["_level"], record["_user"], record["_n"], record["_ctx"]) == ("warn", "u1", 5, '{"a":1}')
        # Graylog's rules: additional field names [\w.-]+ after the underscore, never _id; values
        # strings or numbers.
        for _, _, r in arrived:
            assert r["version"] == "1.1" and r["short_message"] and isinstance(r["level"], int)
            for key, value in r.items():
                if key.startswith("_"):
                    assert GELF_NAME.match(key) and key != "_id", key
                    assert isinstance(value, (str, int, float)) and not isinstance(value, bool), (key, value)
