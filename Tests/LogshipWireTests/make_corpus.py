#!/usr/bin/env python3
"""Regenerates Corpus/: LogEntry frames made by an encoder we did not write.

The frames come from Google's `protobuf` package (PyPI), with Docker's entry.proto
schema as the test harness builds it (Tests/Harness/harness/frames.py), so the
Swift decoder is checked against an independent implementation, not against
itself. Hand-made variants cover what a conforming encoder may emit but Docker's
does not: fields out of order, repeated fields, unknown fields of every wire
type, 10-byte varints.

Output:
  Corpus/stream.bin       frames back to back, exactly as on the FIFO
  Corpus/stream.expected  one line per frame: source, time_nano, line (hex),
                          partial, has_metadata, last, id, ordinal (tab-separated)
Run: python3 Tests/LogshipWireTests/make_corpus.py [OUTPUT_DIR]   (needs `pip install protobuf`;
     OUTPUT_DIR defaults to Corpus/ here: another one, to compare with it)
"""
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "Harness"))

from harness.frames import LogEntry, field, frame, varint  # noqa: E402  (the path above)


def expected(source, time_nano, line, partial, meta):
    last, pid, ordinal = meta if meta else (False, "", 0)
    return "\t".join([source, str(time_nano), line.hex(), str(int(partial)),
                      str(int(meta is not None)), str(int(last)), pid, str(ordinal)])


def encoded_cases(rng):
    """Entries encoded by protobuf itself, shaped like what the daemon sends."""
    cases = []
    for i in range(400):
        m = LogEntry()
        source = rng.choice(["stdout", "stderr"])
        m.source = source
        t = rng.choice([1700000000123456789, rng.randrange(1, 1 << 63), 1, (1 << 63) - 1, -5])
        m.time_nano = t
        # Mostly short lines; a few at the daemon's 16 KiB split size and beyond.
        size = rng.choice([0, 1, 2, 11, 127, 128, 300, rng.randrange(0, 200)])
        if rng.random() < 0.02:
            size = rng.choice([16383, 16384, 20000])
        line = bytes(rng.randrange(256) for _ in range(size))
        m.line = line
        meta = None
        if rng.random() < 0.3:
            m.partial = True
            last = rng.random() < 0.5
            pid = "%064x" % rng.getrandbits(256)
            ordinal = rng.choice([1, 2, 3, 127, 128, 2**31 - 1, -1, -2**31])
            m.partial_log_metadata.last = last
            m.partial_log_metadata.id = pid
            m.partial_log_metadata.ordinal = ordinal
            meta = (last, pid, ordinal)
        if rng.random() < 0.1:
            a = m.attrs.add()
            a.key, a.value = "k%d" % i, "v"  # field 6: the decoder must skip it
        cases.append((m.SerializeToString(), expected(source, t, line, m.partial, meta)))
    # The empty message: every field defaulted.
    cases.append((LogEntry().SerializeToString(), expected("", 0, b"", False, None)))
    return cases


def handmade_cases():
    """Valid encodings Docker's encoder never emits but a decoder must accept."""
    pid = "0123456789abcdef" * 4
    meta = field(1, 0, b"\x01") + field(2, 2, pid.encode()) + field(3, 0, varint(7))
    cases = []
    # Fields in reverse order.
    body = (field(5, 2, meta) + field(4, 0, b"\x01") + field(3, 2, b"rev") + field(2, 0, varint(42))
            + field(1, 2, b"stderr"))
    cases.append((body, expected("stderr", 42, b"rev", True, (True, pid, 7))))
    # Repeated scalars: last wins. Repeated metadata: merged field by field.
    body = (field(1, 2, b"stdout") + field(1, 2, b"stderr") + field(2, 0, varint(1)) + field(2, 0, varint(2))
            + field(3, 2, b"first") + field(3, 2, b"second") + field(4, 0, b"\x01")
            + field(5, 2, field(2, 2, pid.encode())) + field(5, 2, field(3, 0, varint(9)) + field(1, 0, b"\x01")))
    cases.append((body, expected("stderr", 2, b"second", True, (True, pid, 9))))
    # Unknown fields of every skippable wire type, before and after known ones.
    unknown = (field(7, 0, varint(1 << 63)) + field(8, 1, b"\xff" * 8) + field(9, 2, b"abc")
               + field(10, 5, b"\x00" * 4) + field(536870911, 0, b"\x00"))
    body = unknown + field(1, 2, b"stdout") + unknown + field(3, 2, b"x") + unknown
    cases.append((body, expected("stdout", 0, b"x", False, None)))
    # Non-minimal varints (padded with 0x80 continuation bytes) and a 10-byte varint.
    body = b"\x0a\x86\x80\x80\x00stdout" + b"\x10" + varint(-1) + b"\x9a\x80\x00" + b"\x01z"
    cases.append((body, expected("stdout", -1, b"z", False, None)))
    # Negative ordinal (10-byte sign-extended int32) and bools encoded as large varints.
    body = field(1, 2, b"stdout") + field(4, 0, varint(300)) + field(5, 2, field(1, 0, varint(2)) + field(3, 0, varint(-3)))
    cases.append((body, expected("stdout", 0, b"", True, (True, "", -3))))
    return cases


def main(directory):
    rng = random.Random(20261126)
    cases = encoded_cases(rng) + handmade_cases()
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "stream.bin"), "wb") as out:
        for body, _ in cases:
            out.write(frame(body))
    with open(os.path.join(directory, "stream.expected"), "w") as out:
        for _, line in cases:
            out.write(line + "\n")
    print("wrote %d frames" % len(cases))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "Corpus"))
