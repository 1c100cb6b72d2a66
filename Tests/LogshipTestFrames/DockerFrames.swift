import LogshipWire

/// The FIFO bytes the Docker daemon writes, for tests: a LogEntry protobuf
/// (daemon/logger/internal/logdriver/entry.proto) behind a 4-byte length.
/// Tests/LogshipWireTests/Corpus checks the decoder against frames from Google's own
/// encoder as well.

/// `body` behind its length, a big-endian uint32: a frame, whatever the body holds.
public func frame(_ body: [UInt8]) -> [UInt8] {
    let n = UInt32(body.count)
    return [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + body
}

/// A LogEntry frame as the daemon writes it (`FrameEncoder`, checked against Docker's
/// reference vectors in FrameEncoderTests).
public func dockerFrame(_ source: String, _ line: [UInt8], time: UInt64 = 1_700_000_000_123_456_789,
                        partial: (last: Bool, id: String, ordinal: Int)? = nil) -> [UInt8] {
    FrameEncoder.frame(source: source, timeNano: time, line: line, partial: partial)
}
