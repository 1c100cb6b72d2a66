#!/usr/bin/env python3
"""Regenerates Corpus/: LogEntry frames made by an encoder we did not write.

The frames come from Google's `protobuf` package (PyPI), built at run time from
Docker's entry.proto schema, so the Swift decoder is checked against an
independent implementation, not against itself. Hand-made variants cover what a
conforming encoder may emit but Docker's does not: fields out of order, repeated
fields, unknown fields of every wire type, 10-byte varints.

Output:
  Corpus/stream.bin       frames back to back, exactly as on the FIFO
  Corpus/stream.expected  one line per frame: source, time_nano, line (hex),
                          partial, has_metadata, last, id, ordinal (tab-separated)
Run: python3 Tests/LogshipWireTests/make_corpus.py   (needs `pip install protobuf`)
"""
import os
import random
import struct

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

HERE = os.path.dirname(os.path.abspath(__file__))


def build_classes():
    f = descriptor_pb2.FileDescriptorProto(name="entry.proto", syntax="proto3")
    T = descriptor_pb2.FieldDescriptorProto
    attr = f.message_type.add(name="LogAttr")
    attr.field.add(name="key", number=1, type=T.TYPE_STRING, label=T.LABEL_OPTIONAL)
    attr.field.add(name="value", number=2, type=T.TYPE_STRING, label=T.LABEL_OPTIONAL)
    meta = f.message_type.add(name="PartialLogEntryMetadata")
    meta.field.add(name="last", number=1, type=T.TYPE_BOOL, label=T.LABEL_OPTIONAL)
    meta.field.add(name="id", number=2, type=T.TYPE_STRING, label=T.LABEL_OPTIONAL)
    meta.field.add(name="ordinal", number=3, type=T.TYPE_INT32, label=T.LABEL_OPTIONAL)
    e = f.message_type.add(name="LogEntry")
    e.field.add(name="source", number=1, type=T.TYPE_STRING, label=T.LABEL_OPTIONAL)
    e.field.add(name="time_nano", number=2, type=T.TYPE_INT64, label=T.LABEL_OPTIONAL)
    e.field.add(name="line", number=3, type=T.TYPE_BYTES, label=T.LABEL_OPTIONAL)
    e.field.add(name="partial", number=4, type=T.TYPE_BOOL, label=T.LABEL_OPTIONAL)
    e.field.add(name="partial_log_metadata", number=5, type=T.TYPE_MESSAGE,
                type_name=".PartialLogEntryMetadata", label=T.LABEL_OPTIONAL)
    e.field.add(name="attrs", number=6, type=T.TYPE_MESSAGE, type_name=".LogAttr",
                label=T.LABEL_REPEATED)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(f)
    get = message_factory.GetMessageClass
    return get(pool.FindMessageTypeByName("LogEntry")), get(pool.FindMessageTypeByName("LogAttr"))


LogEntry, LogAttr = build_classes()


def varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def tag(field, wire):
    return varint(field << 3 | wire)


def ld(field, payload):
    return tag(field, 2) + varint(len(payload)) + payload


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
    meta = varint(1 << 3 | 0) + b"\x01" + ld(2, pid.encode()) + tag(3, 0) + varint(7)
    cases = []
    # Fields in reverse order.
    body = ld(5, meta) + tag(4, 0) + b"\x01" + ld(3, b"rev") + tag(2, 0) + varint(42) + ld(1, b"stderr")
    cases.append((body, expected("stderr", 42, b"rev", True, (True, pid, 7))))
    # Repeated scalars: last wins. Repeated metadata: merged field by field.
    body = (ld(1, b"stdout") + ld(1, b"stderr") + tag(2, 0) + varint(1) + tag(2, 0) + varint(2)
            + ld(3, b"first") + ld(3, b"second") + tag(4, 0) + b"\x01"
            + ld(5, ld(2, pid.encode())) + ld(5, tag(3, 0) + varint(9) + tag(1, 0) + b"\x01"))
    cases.append((body, expected("stderr", 2, b"second", True, (True, pid, 9))))
    # Unknown fields of every skippable wire type, before and after known ones.
    unknown = (tag(7, 0) + varint(1 << 63) + tag(8, 1) + b"\xff" * 8 + tag(9, 2) + varint(3) + b"abc"
               + tag(10, 5) + b"\x00" * 4 + tag(536870911, 0) + b"\x00")
    body = unknown + ld(1, b"stdout") + unknown + ld(3, b"x") + unknown
    cases.append((body, expected("stdout", 0, b"x", False, None)))
    # Non-minimal varints (padded with 0x80 continuation bytes) and a 10-byte varint.
    body = b"\x0a\x86\x80\x80\x00stdout" + b"\x10" + varint(-1) + b"\x9a\x80\x00" + b"\x01z"
    cases.append((body, expected("stdout", -1, b"z", False, None)))
    # Negative ordinal (10-byte sign-extended int32) and bools encoded as large varints.
    body = ld(1, b"stdout") + tag(4, 0) + varint(300) + ld(5, tag(1, 0) + varint(2) + tag(3, 0) + varint(-3))
    cases.append((body, expected("stdout", 0, b"", True, (True, "", -3))))
    return cases


def main():
    rng = random.Random(20261126)
    cases = encoded_cases(rng) + handmade_cases()
    os.makedirs(os.path.join(HERE, "Corpus"), exist_ok=True)
    with open(os.path.join(HERE, "Corpus", "stream.bin"), "wb") as out:
        for body, _ in cases:
            out.write(struct.pack(">I", len(body)) + body)
    with open(os.path.join(HERE, "Corpus", "stream.expected"), "w") as out:
        for _, line in cases:
            out.write(line + "\n")
    print("wrote %d frames" % len(cases))


if __name__ == "__main__":
    main()
