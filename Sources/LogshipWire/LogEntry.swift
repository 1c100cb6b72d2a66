/// Which output of the container a line came from.
public enum LogSource: Sendable, Equatable {
    case stdout, stderr
    /// Anything else; the daemon sends only the two above (protocol reference §5.3).
    case other
    /// A message of logship's own in a container's stream (a drop notice), sent at
    /// severity warning; never read from a FIFO.
    case logship
}

/// `PartialLogEntryMetadata` from Docker's entry.proto: the pieces of a line that the
/// daemon split at 16 KiB share an `id`; `last` marks the piece that ended the line.
public struct PartialMetadata {
    public var last: Bool = false
    /// 64 lowercase hex characters, pointing into the frame buffer.
    public var id: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)
    public var ordinal: Int32 = 0

    public init() {}
}

/// A decoded `LogEntry` whose byte fields point into the buffer it was decoded from:
/// valid only until that buffer is reused. Decoding copies nothing.
///
/// Absent fields take proto3 defaults, as the encoder omits them (an empty `line`
/// is a real blank line).
public struct LogEntry {
    public var sourceBytes = UnsafeRawBufferPointer(start: nil, count: 0)
    public var timeNano: Int64 = 0
    public var line = UnsafeRawBufferPointer(start: nil, count: 0)
    public var partial: Bool = false
    public var partialMetadata: PartialMetadata?

    public init() {}

    /// Compared byte by byte: this runs for every entry, and a generic
    /// `elementsEqual` against a string's UTF-8 view costs more than the decode.
    public var source: LogSource {
        let b = sourceBytes
        guard b.count == 6, b[0] == 0x73, b[1] == 0x74, b[2] == 0x64 else { return .other }  // "std"
        if b[3] == 0x6F && b[4] == 0x75 && b[5] == 0x74 { return .stdout }  // "out"
        if b[3] == 0x65 && b[4] == 0x72 && b[5] == 0x72 { return .stderr }  // "err"
        return .other
    }
}

extension LogEntry {
    /// Decodes one `LogEntry` message body (the frame without its 4-byte length).
    ///
    /// Fields may come in any order; a repeated scalar keeps the last value and a
    /// repeated `partial_log_metadata` is merged, as protobuf requires. Unknown fields
    /// (including `attrs`, field 6, which the daemon never sends to plugins) are skipped.
    public static func decode(_ message: UnsafeRawBufferPointer) throws(WireError) -> LogEntry {
        var entry = LogEntry()
        var reader = ProtobufReader(message)
        while !reader.isAtEnd {
            let (field, wireType, at) = try reader.readTag()
            switch field {
            case 1:
                try expect(wireType, .lengthDelimited, "source", at)
                entry.sourceBytes = try reader.readLengthDelimited(field: field, at: at)
            case 2:
                try expect(wireType, .varint, "time_nano", at)
                entry.timeNano = Int64(bitPattern: try reader.readVarint())
            case 3:
                try expect(wireType, .lengthDelimited, "line", at)
                entry.line = try reader.readLengthDelimited(field: field, at: at)
            case 4:
                try expect(wireType, .varint, "partial", at)
                entry.partial = try reader.readVarint() != 0
            case 5:
                try expect(wireType, .lengthDelimited, "partial_log_metadata", at)
                let body = try reader.readLengthDelimited(field: field, at: at)
                var metadata = entry.partialMetadata ?? PartialMetadata()
                try metadata.merge(from: body, base: reader.offset - body.count)
                entry.partialMetadata = metadata
            default:
                try reader.skip(field: field, wireType: wireType, at: at)
            }
        }
        return entry
    }
}

extension PartialMetadata {
    mutating func merge(from message: UnsafeRawBufferPointer, base: Int) throws(WireError) {
        var reader = ProtobufReader(message, base: base)
        while !reader.isAtEnd {
            let (field, wireType, at) = try reader.readTag()
            switch field {
            case 1:
                try expect(wireType, .varint, "partial_log_metadata.last", at)
                last = try reader.readVarint() != 0
            case 2:
                try expect(wireType, .lengthDelimited, "partial_log_metadata.id", at)
                id = try reader.readLengthDelimited(field: field, at: at)
            case 3:
                try expect(wireType, .varint, "partial_log_metadata.ordinal", at)
                // int32 is sign-extended to 10 bytes on the wire; truncation restores it.
                ordinal = Int32(truncatingIfNeeded: try reader.readVarint())
            default:
                try reader.skip(field: field, wireType: wireType, at: at)
            }
        }
    }
}

/// Docker's own (gogo-generated) decoder rejects a known field with the wrong wire
/// type; so do we, rather than guess.
@inline(__always)
private func expect(_ wireType: Int, _ expected: ProtobufReader.WireType, _ name: String, _ at: Int) throws(WireError) {
    guard wireType == expected.rawValue else { throw .wrongWireType(field: name, wireType: wireType, offset: at) }
}
