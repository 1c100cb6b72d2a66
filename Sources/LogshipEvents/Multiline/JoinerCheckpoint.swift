/// The messages a joiner holds, as bytes a stream reader keeps on disk while it
/// consumes the FIFO bytes their lines came in (see `StreamCheckpoint` in the stream
/// layer): after a crash the restored joiner goes on with them instead of losing them.
///
///     magic "LSJ1" | held count u32                                  (little-endian)
///     held: slot u8 | time i64 | severity u8 (255: none) | context u8 | lines u32 |
///           tentative offset i32 (-1: none) | tentative lines u32 | tentative time i64 |
///           bytes u32+bytes
///     FNV-1a 32 of everything before
///
/// Deadlines are not kept: a restored message waits a whole timeout again.
extension MultilineJoiner {
    static let checkpointMagic: UInt32 = 0x314A_534C  // "LSJ1" read as little-endian

    public func checkpoint() -> [UInt8] {
        var out = CheckpointBytes()
        out.u32(Self.checkpointMagic)
        let held = slots.indices.filter { !slots[$0].isEmpty }
        out.u32(UInt32(held.count))
        for s in held {
            let message = slots[s]
            out.u8(UInt8(s))
            out.u64(UInt64(bitPattern: message.timeNano))
            out.u8(message.severity?.code ?? 255)
            out.u8(message.context.rawValue)
            out.u32(UInt32(message.lines))
            out.u32(UInt32(bitPattern: Int32(message.tentativeOffset ?? -1)))
            out.u32(UInt32(message.tentativeLines))
            out.u64(UInt64(bitPattern: message.tentativeTimeNano))
            if let line = message.borrowed {
                out.counted(Array(line))
            } else {
                out.counted(message.bytes)
            }
        }
        out.seal()
        return out.bytes
    }

    /// Takes over a checkpoint's messages; throws, changing nothing, when the bytes are
    /// not a whole checkpoint of messages this joiner could hold.
    public mutating func restore(checkpoint bytes: [UInt8], now: Int64) throws(PatternError) {
        var reader = try CheckpointReading(bytes)
        guard try reader.u32() == Self.checkpointMagic else { throw PatternError("not a joiner checkpoint (bad magic)") }
        let count = Int(try reader.u32())
        guard count <= slots.count else { throw PatternError("implausible count \(count)") }
        var restored = [HeldMessage(), HeldMessage(), HeldMessage()]
        for _ in 0..<count {
            let s = Int(try reader.u8())
            guard s < restored.count, restored[s].isEmpty else { throw PatternError("bad slot \(s)") }
            var message = HeldMessage()
            message.timeNano = Int64(bitPattern: try reader.u64())
            let severity = try reader.u8()
            message.severity = severity == 255 ? nil : Severity(code: Int(severity))
            guard let context = MessageContext(rawValue: try reader.u8()) else { throw PatternError("bad context") }
            message.context = context
            message.lines = Int(try reader.u32())
            let offset = Int32(bitPattern: try reader.u32())
            message.tentativeOffset = offset < 0 ? nil : Int(offset)
            message.tentativeLines = Int(try reader.u32())
            message.tentativeTimeNano = Int64(bitPattern: try reader.u64())
            message.bytes = try reader.counted(limit: maxBytes)
            guard message.lines >= 1, message.lines <= maxLines, message.tentativeLines < message.lines,
                  (message.tentativeOffset ?? 0) <= message.bytes.count else {
                throw PatternError("implausible message in slot \(s)")
            }
            message.deadline = now + timeoutNanoseconds
            restored[s] = message
        }
        guard reader.isAtEnd else { throw PatternError("unexpected bytes at the end") }
        slots = restored
        changes += 1
    }
}

/// Little-endian fields and a closing FNV-1a 32 checksum.
struct CheckpointBytes {
    private(set) var bytes: [UInt8] = []

    mutating func u8(_ value: UInt8) { bytes.append(value) }
    mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }

    mutating func counted(_ data: [UInt8]) {
        u32(UInt32(data.count))
        bytes.append(contentsOf: data)
    }

    mutating func seal() { u32(fnv1a32(bytes[...])) }
}

/// Reads what `CheckpointBytes` wrote, checksum first.
struct CheckpointReading {
    private let bytes: [UInt8]
    private let end: Int
    private var offset = 0

    init(_ bytes: [UInt8]) throws(PatternError) {
        guard bytes.count >= 8 else { throw PatternError("\(bytes.count) bytes are too few for a checkpoint") }
        self.bytes = bytes
        end = bytes.count - 4
        var stored: UInt32 = 0
        for i in 0..<4 { stored |= UInt32(bytes[end + i]) << (8 * i) }
        guard stored == fnv1a32(bytes[..<end]) else { throw PatternError("checksum mismatch") }
    }

    var isAtEnd: Bool { offset == end }

    mutating func take(_ count: Int) throws(PatternError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= end - offset else { throw PatternError("truncated at byte \(offset)") }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func u8() throws(PatternError) -> UInt8 { try take(1).first! }

    mutating func u32() throws(PatternError) -> UInt32 {
        var value: UInt32 = 0
        for (i, b) in try take(4).enumerated() { value |= UInt32(b) << (8 * i) }
        return value
    }

    mutating func u64() throws(PatternError) -> UInt64 {
        var value: UInt64 = 0
        for (i, b) in try take(8).enumerated() { value |= UInt64(b) << (8 * i) }
        return value
    }

    mutating func counted(limit: Int) throws(PatternError) -> [UInt8] {
        let count = Int(try u32())
        guard count <= limit else { throw PatternError("a length of \(count) exceeds \(limit)") }
        return Array(try take(count))
    }
}

func fnv1a32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
    var hash: UInt32 = 0x811C_9DC5
    for byte in bytes { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
    return hash
}
