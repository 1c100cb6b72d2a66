/// The FIFO bytes the Docker daemon writes, made by hand for tests: a LogEntry protobuf
/// (daemon/logger/internal/logdriver/entry.proto) behind a 4-byte length. The one
/// encoder every Swift test uses; Tests/LogshipWireTests/Corpus checks the decoder
/// against frames from Google's own encoder as well.

/// `body` behind its length, a big-endian uint32: a frame, whatever the body holds.
public func frame(_ body: [UInt8]) -> [UInt8] {
    let n = UInt32(body.count)
    return [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + body
}

/// A LogEntry frame as the daemon writes it, fields in the order Docker's encoder
/// writes them: source, time_nano, line (left out when empty, as proto3 does), and for
/// a piece of a longer line partial=true and its metadata (last, id, ordinal).
public func dockerFrame(_ source: String, _ line: [UInt8], time: UInt64 = 1_700_000_000_123_456_789,
                        partial: (last: Bool, id: String, ordinal: Int)? = nil) -> [UInt8] {
    var body = lengthDelimited(0x0A, Array(source.utf8)) + [0x10] + varint(time)
    if !line.isEmpty { body += lengthDelimited(0x1A, line) }
    if let partial {
        body += [0x20, 0x01]
        var metadata: [UInt8] = []
        if partial.last { metadata += [0x08, 0x01] }
        metadata += lengthDelimited(0x12, Array(partial.id.utf8)) + [0x18] + varint(UInt64(partial.ordinal))
        body += lengthDelimited(0x2A, metadata)
    }
    return frame(body)
}

/// Protobuf's base-128 varint, least significant group first.
private func varint(_ value: UInt64) -> [UInt8] {
    var rest = value
    var out: [UInt8] = []
    repeat {
        let low = UInt8(rest & 0x7F)
        rest >>= 7
        out.append(rest == 0 ? low : low | 0x80)
    } while rest != 0
    return out
}

/// A field of wire type 2: its tag byte, the payload's length, the payload.
private func lengthDelimited(_ tag: UInt8, _ payload: [UInt8]) -> [UInt8] {
    [tag] + varint(UInt64(payload.count)) + payload
}
