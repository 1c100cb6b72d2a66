"""Lines Docker split into 16 KiB pieces arrive as one message (protocol doc §5.6)."""

from __future__ import annotations

from harness import expect, frames
from harness.receivers import StreamReceiver
from harness.waiting import wait_until

RAW = {"tcp-format": "raw"}


def test_40000_character_line_is_one_message(open_stream, rsyslog):
    line = ("0123456789" * 4000).encode()
    with StreamReceiver() as rx:
        s = open_stream({"tcp-address": rx.address, **RAW, "syslog-address": rsyslog.tcp_address})
        s.log(line, "stdout")
        s.log("next", "stdout")
        s.finish()
        assert rx.wait_for_lines(2) == [line, b"next"]
    msgs = rsyslog.wait_for(2)
    assert [len(m["msg"]) for m in msgs] == [40000, 4]
    assert msgs[0]["msg"].encode() == line


def test_exact_multiples_of_16k(open_stream):
    lines = [b"a" * 16384, b"b" * 32768, b"c" * 16383, b"d" * 16385]
    with StreamReceiver() as rx:
        s = open_stream({"tcp-address": rx.address, **RAW})
        for l in lines:
            s.log(l)
        s.finish()
        assert rx.wait_for_lines(4) == lines


def test_interleaved_stdout_and_stderr_pieces(open_stream):
    """stdout and stderr are copied by separate goroutines: their pieces interleave in the FIFO."""
    out_line, err_line = b"o" * 40000, b"e" * 20000
    out = frames.decode_frames(frames.line_frames(out_line, "stdout"))
    err = frames.decode_frames(frames.line_frames(err_line, "stderr"))
    assert len(out) == 3 and len(err) == 2

    def enc(d):
        return frames.frame(frames.entry(d.line, d.source, d.time_nano, d.partial_id, d.ordinal, d.last))

    order = [out[0], err[0], out[1], err[1], out[2]]
    with StreamReceiver() as rx:
        s = open_stream({"syslog-address": rx.address})
        s.write(b"".join(enc(d) for d in order))
        s.finish()
        lines = rx.wait_for_lines(2)
    got = {expect.parse_rfc5424(l + b"\n")["pri"]: expect.parse_rfc5424(l + b"\n")["msg"] for l in lines}
    assert got == {"27": err_line, "30": out_line}


def test_split_line_keeps_the_first_pieces_timestamp(open_stream):
    t0 = 1795709781143681123
    with StreamReceiver() as rx:
        s = open_stream({"tcp-address": rx.address})
        s.log(b"z" * 20000, "stdout", t0)
        s.finish()
        [line] = rx.wait_for_lines(1)
    _, obj = expect.parse_json_record(line)
    assert obj["time"] == expect.ts_json(t0) and len(obj["message"]) == 20000


def test_unterminated_output_is_flushed_at_eof(open_stream):
    """A container that exits mid-line: pieces with last=false and no final piece (§5.6)."""
    with StreamReceiver() as rx:
        s = open_stream({"tcp-address": rx.address, **RAW})
        s.log("complete")
        s.write(frames.unterminated_frames(b"t" * 20000))
        s.finish()
        assert rx.wait_for_lines(2) == [b"complete", b"t" * 20000]


def test_unterminated_short_tail_is_flushed_at_eof(open_stream):
    with StreamReceiver() as rx:
        s = open_stream({"tcp-address": rx.address, **RAW})
        s.write(frames.unterminated_frames(b"no newline at the end"))
        s.finish()
        assert rx.wait_for_lines(1) == [b"no newline at the end"]


def test_max_line_size_bounds_a_reassembled_line(open_stream):
    """With max-line-size=20k a 40,000-byte line must not arrive as one 40,000-byte message: memory
    per stream is bounded. (Whether the rest is split off or dropped is the plugin's choice.)"""
    with StreamReceiver() as rx:
        s = open_stream({"tcp-address": rx.address, **RAW, "max-line-size": "20k"})
        s.log(b"m" * 40000)
        s.log("after")
        s.finish()
        wait_until(lambda: b"after" in rx.lines(), 20, "the line after the long one",
                   describe=lambda: str([len(l) for l in rx.lines()]))
        lines = rx.lines()
    assert all(len(l) <= 20 * 1024 for l in lines), [len(l) for l in lines]
    assert lines[-1] == b"after"
    assert lines[0].startswith(b"m" * 1000)
