"""Docker FIFO frames: [uint32 big-endian length][LogEntry protobuf], exactly as dockerd writes them.

Two encoders, for two jobs:
  entry()            the reference: the message classes are built at run time from a FileDescriptorProto
                     holding the schema of the protocol document §5.2 (daemon/logger/internal/logdriver/
                     entry.proto), so no protoc is needed and the bytes come from Google's protobuf
                     package, not from hand-written encoding. What the tests feed the plugin.
  handmade_entry()   the same layout written by hand with varint() and field(), standard library only,
                     for tools that must run without protobuf (Fuzz/make_seeds.py) and for encodings no
                     conforming encoder emits (fields out of order, repeated, unknown; see
                     Tests/LogshipWireTests/make_corpus.py).
protobuf is imported the first time the reference encoder or its classes are used.
"""

from __future__ import annotations

import os
import secrets
import select
import struct
import time
from dataclasses import dataclass

# Docker's copier emits pieces of at most this many bytes (copier.go defaultBufSize).
PIECE_SIZE = 16 * 1024


# -- the wire format by hand (standard library only) ------------------------------------------------------

def varint(n: int) -> bytes:
    """Protobuf's base-128 varint; a negative number as its 64-bit two's complement (10 bytes), as
    protobuf encodes a negative int32 or int64."""
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        low = n & 0x7F
        n >>= 7
        out.append(low | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number: int, wire_type: int, payload: bytes) -> bytes:
    """One field: its tag, then `payload` as it is (a varint, 8 or 4 bytes), or for wire type 2
    (length-delimited) behind its length."""
    tag = varint(number << 3 | wire_type)
    if wire_type == 2:
        return tag + varint(len(payload)) + payload
    return tag + payload


def frame(body: bytes) -> bytes:
    """Prefix an encoded LogEntry with its 4-byte big-endian length."""
    return struct.pack(">I", len(body)) + body


def handmade_entry(line: bytes = b"", source: bytes = b"stdout", time_nano: int = 1700000000123456789,
                   partial_id: bytes | None = None, ordinal: int = 1, last: bool = False) -> bytes:
    """A LogEntry body in Docker's field order, written by hand: source and time_nano always, line
    when not empty; for a piece of a longer line (`partial_id` given) partial=true and the metadata
    (last when true, the id when not empty, the ordinal always)."""
    body = field(1, 2, source) + field(2, 0, varint(time_nano))
    if line:
        body += field(3, 2, line)
    if partial_id is not None:
        body += field(4, 0, varint(1))
        meta = field(1, 0, varint(1)) if last else b""
        if partial_id:
            meta += field(2, 2, partial_id)
        meta += field(3, 0, varint(ordinal))
        body += field(5, 2, meta)
    return body


# -- the reference encoder (Google's protobuf) --------------------------------------------------------------

def _build_schema():
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    f = descriptor_pb2.FieldDescriptorProto
    fdp = descriptor_pb2.FileDescriptorProto(name="entry.proto", syntax="proto3")  # no package

    attr = fdp.message_type.add(name="LogAttr")
    attr.field.add(name="key", number=1, type=f.TYPE_STRING, label=f.LABEL_OPTIONAL)
    attr.field.add(name="value", number=2, type=f.TYPE_STRING, label=f.LABEL_OPTIONAL)

    entry = fdp.message_type.add(name="LogEntry")
    entry.field.add(name="source", number=1, type=f.TYPE_STRING, label=f.LABEL_OPTIONAL)
    entry.field.add(name="time_nano", number=2, type=f.TYPE_INT64, label=f.LABEL_OPTIONAL)
    entry.field.add(name="line", number=3, type=f.TYPE_BYTES, label=f.LABEL_OPTIONAL)
    entry.field.add(name="partial", number=4, type=f.TYPE_BOOL, label=f.LABEL_OPTIONAL)
    entry.field.add(
        name="partial_log_metadata", number=5, type=f.TYPE_MESSAGE, label=f.LABEL_OPTIONAL,
        type_name=".PartialLogEntryMetadata",
    )
    entry.field.add(name="attrs", number=6, type=f.TYPE_MESSAGE, label=f.LABEL_REPEATED, type_name=".LogAttr")

    meta = fdp.message_type.add(name="PartialLogEntryMetadata")
    meta.field.add(name="last", number=1, type=f.TYPE_BOOL, label=f.LABEL_OPTIONAL)
    meta.field.add(name="id", number=2, type=f.TYPE_STRING, label=f.LABEL_OPTIONAL)
    meta.field.add(name="ordinal", number=3, type=f.TYPE_INT32, label=f.LABEL_OPTIONAL)

    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)

    def cls(name):
        desc = pool.FindMessageTypeByName(name)
        if hasattr(message_factory, "GetMessageClass"):  # protobuf >= 4.22
            return message_factory.GetMessageClass(desc)
        return message_factory.MessageFactory(pool).GetPrototype(desc)  # older releases

    return {"LogEntry": cls("LogEntry"), "PartialLogEntryMetadata": cls("PartialLogEntryMetadata"),
            "LogAttr": cls("LogAttr")}


_classes: dict | None = None


def _schema() -> dict:
    """The message classes by name, built (and protobuf imported) on first use."""
    global _classes
    if _classes is None:
        _classes = _build_schema()
    return _classes


def __getattr__(name: str):
    """`frames.LogEntry`, `frames.PartialLogEntryMetadata`, `frames.LogAttr`, without importing
    protobuf for a caller that never uses them."""
    if name in ("LogEntry", "PartialLogEntryMetadata", "LogAttr"):
        return _schema()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def now_nano() -> int:
    return time.time_ns()


def new_partial_id() -> str:
    """64 lowercase hex characters, like stringid.GenerateRandomID()."""
    return secrets.token_hex(32)


def entry(
    line: bytes | str,
    source: str = "stdout",
    time_nano: int | None = None,
    partial_id: str | None = None,
    ordinal: int = 0,
    last: bool = False,
) -> bytes:
    """Encode one LogEntry body (no length prefix), as the daemon's adapter fills it (§5.3)."""
    if isinstance(line, str):
        line = line.encode()
    classes = _schema()
    msg = classes["LogEntry"](source=source, time_nano=now_nano() if time_nano is None else time_nano, line=line)
    if partial_id is not None:
        msg.partial = True
        msg.partial_log_metadata.CopyFrom(classes["PartialLogEntryMetadata"](id=partial_id, ordinal=ordinal, last=last))
    return msg.SerializeToString()


def line_frames(line: bytes | str, source: str = "stdout", time_nano: int | None = None) -> bytes:
    """The frames Docker's copier writes for one output line followed by a newline (§5.6).

    A line shorter than 16 KiB is one plain entry. A longer one becomes pieces of 16 KiB, all partial,
    sharing an id and the first piece's timestamp, ordinals 1, 2, ...; the piece that ends at the
    newline has last=true (and is empty when the line length is a multiple of 16 KiB).
    """
    return b"".join(line_frame_list(line, source, time_nano))


def line_frame_list(line: bytes | str, source: str = "stdout", time_nano: int | None = None) -> list[bytes]:
    """`line_frames`, one frame per list item: the copier writes each piece with its own write(), so
    a test that writes them one by one (with pauses) has lines half in the pipe most of the time."""
    if isinstance(line, str):
        line = line.encode()
    ts = now_nano() if time_nano is None else time_nano
    if len(line) < PIECE_SIZE:
        return [frame(entry(line, source, ts))]
    pid = new_partial_id()
    out = []
    ordinal = 0
    rest = line
    while len(rest) >= PIECE_SIZE:
        ordinal += 1
        out.append(frame(entry(rest[:PIECE_SIZE], source, ts, pid, ordinal, last=False)))
        rest = rest[PIECE_SIZE:]
    out.append(frame(entry(rest, source, ts, pid, ordinal + 1, last=True)))
    return out


def unterminated_frames(data: bytes, source: str = "stdout", time_nano: int | None = None) -> bytes:
    """Frames for output that ends without a newline at EOF: every piece partial, none marked last."""
    ts = now_nano() if time_nano is None else time_nano
    pid = new_partial_id()
    pieces = [data[i:i + PIECE_SIZE] for i in range(0, len(data), PIECE_SIZE)] or [b""]
    return b"".join(frame(entry(p, source, ts, pid, i + 1, last=False)) for i, p in enumerate(pieces))


@dataclass
class Decoded:
    source: str
    time_nano: int
    line: bytes
    partial: bool
    partial_id: str
    ordinal: int
    last: bool


def decode_frames(data: bytes) -> list[Decoded]:
    """Split a frame stream and decode each entry (used to check the encoder against test vectors)."""
    out = []
    pos = 0
    while pos < len(data):
        if len(data) - pos < 4:
            raise ValueError(f"truncated length prefix at offset {pos}")
        (n,) = struct.unpack_from(">I", data, pos)
        body = data[pos + 4:pos + 4 + n]
        if len(body) != n:
            raise ValueError(f"truncated frame at offset {pos}: want {n} bytes, have {len(body)}")
        m = _schema()["LogEntry"].FromString(body)
        md = m.partial_log_metadata
        out.append(Decoded(m.source, m.time_nano, m.line, m.partial, md.id, md.ordinal, md.last))
        pos += 4 + n
    return out


def write_all(fd: int, data: bytes, timeout: float = 30.0) -> None:
    """Write everything to a FIFO descriptor, failing (not hanging) if the reader stops reading.

    The daemon's writes block while the pipe is full; a plugin that stops draining its FIFO would
    hang a test forever, so the descriptor is made non-blocking and each wait for room is bounded.
    """
    os.set_blocking(fd, False)
    view = memoryview(data)
    deadline = time.monotonic() + timeout
    while view:
        try:
            n = os.write(fd, view)
            view = view[n:]
            deadline = time.monotonic() + timeout  # progress: restart the stall timer
        except BlockingIOError:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"FIFO reader made no progress for {timeout:.0f}s ({len(view)} bytes still unwritten)"
                )
            select.select([], [fd], [], min(remaining, 0.5))
