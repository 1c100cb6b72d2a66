"""Containers logging through the installed plugin to Python TCP receivers (json, raw)."""

from __future__ import annotations

from datetime import datetime

import pytest

from harness import docker as d
from harness import expect
from harness.receivers import StreamReceiver


def test_json_records_carry_every_field():
    with StreamReceiver() as rx:
        run = d.run_container(
            ["sh", "-c", "echo out; echo err >&2"],
            {"tcp-address": rx.address, "labels": "app", "env": "FOO"},
            docker_args=["--label", "app=demo", "--label", "other=x", "--env", "FOO=bar", "--env", "BAZ=no"],
        )
        assert run.returncode == 0, run.stderr
        lines = rx.wait_for_lines(2)
    records = {}
    for line in lines:
        keys, obj = expect.parse_json_record(line)
        assert keys == expect.JSON_KEYS, keys
        records[obj["source"]] = obj
    image_id = d.image_id()
    for source, message in (("stdout", "out"), ("stderr", "err")):
        obj = records[source]
        t = obj.pop("time")
        assert len(t) == len("2026-11-26T16:16:21.143681123Z") and t.endswith("Z"), t
        ts = datetime.fromisoformat(t[:26] + "+00:00").timestamp()
        assert run.started - 2 <= ts <= run.finished + 2, t
        assert obj == {
            "host": d.hostname(), "source": source, "container_id": run.container_id,
            "container_name": run.name, "image_name": d.IMAGE, "image_id": image_id, "tag": run.tag,
            "message": message, "attrs": {"app": "demo", "FOO": "bar"},
        }


@pytest.mark.slow
def test_a_million_lines_arrive_complete_and_in_order():
    n = 1_000_000
    with StreamReceiver() as rx:
        run = d.run_container(["seq", "1", str(n)], {"tcp-address": rx.address, "tcp-format": "raw"},
                              capture=False, timeout=600)
        assert run.returncode == 0, run.stderr
        rx.wait_for_lines(n, timeout=300)
        data = rx.data()
    expected = "".join(f"{i}\n" for i in range(1, n + 1)).encode()
    if data != expected:
        got = data.split(b"\n")
        first_bad = next((i for i, (a, b) in enumerate(zip(got, expected.split(b"\n"))) if a != b), None)
        raise AssertionError(f"{len(got) - 1} lines received; first difference at line {first_bad}: "
                             f"{got[first_bad] if first_bad is not None else None!r}")
