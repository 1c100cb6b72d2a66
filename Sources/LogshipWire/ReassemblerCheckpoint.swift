/// The lines a reassembler has in progress, as bytes a stream reader keeps on disk
/// while it consumes the FIFO bytes that carried their pieces (`StreamReader`): after a
/// crash the restored reassembler continues those lines instead of emitting their
/// tails as whole lines.
///
///     magic "LSC1" | pending count u32 | ended count u32          (little-endian)
///     pending: source u8 | time i64 | last ordinal i32 | pieces u32 | id u32+bytes | line u32+bytes
///     ended:   source u8 | last ordinal i32 | id u32+bytes
///     FNV-1a 32 of everything before
///
/// "Ended" are the lines that ended since the previous checkpoint: their last pieces
/// may still be in the FIFO, and must be recognised as repeats if read again.
extension Reassembler {
    static let checkpointMagic: UInt32 = 0x3143_534C  // "LSC1" read as little-endian

    /// What to write now; `sinceChanges` is `changes` at the previous checkpoint.
    public func checkpoint(sinceChanges: Int) -> [UInt8] {
        let ended = finished.filter { $0.endedAt > sinceChanges }
        var out: [UInt8] = []
        out.appendLittleEndian(Self.checkpointMagic)
        out.appendLittleEndian(UInt32(pending.count))
        out.appendLittleEndian(UInt32(ended.count))
        for line in pending {
            out.append(line.source.code)
            out.appendLittleEndian(UInt64(bitPattern: line.timeNano))
            out.appendLittleEndian(UInt32(bitPattern: line.lastOrdinal))
            out.appendLittleEndian(UInt32(line.pieces))
            out.appendCounted(line.id)
            out.appendCounted(line.bytes)
        }
        for line in ended {
            out.append(line.source.code)
            out.appendLittleEndian(UInt32(bitPattern: line.lastOrdinal))
            out.appendCounted(line.id)
        }
        out.appendLittleEndian(fnv1a32(out))
        return out
    }

    /// Replaces the lines in progress with a checkpoint's. Throws, changing nothing,
    /// when the bytes are not a whole checkpoint.
    public mutating func restore(checkpoint bytes: [UInt8]) throws(CheckpointError) {
        guard bytes.count >= 16 else { throw CheckpointError("\(bytes.count) bytes are too few for a checkpoint") }
        let body = bytes[..<(bytes.count - 4)]
        var reader = CheckpointReader(bytes: bytes, end: bytes.count - 4)
        guard fnv1a32(body) == (try reader.checksumAtEnd()) else { throw CheckpointError("checksum mismatch") }
        guard try reader.u32() == Self.checkpointMagic else { throw CheckpointError("not a checkpoint (bad magic)") }
        let pendingCount = Int(try reader.u32())
        let endedCount = Int(try reader.u32())
        guard pendingCount <= Self.maxPendingLines, endedCount <= Self.rememberedLines else {
            throw CheckpointError("implausible counts \(pendingCount)/\(endedCount)")
        }
        var restoredPending: [Pending] = []
        for _ in 0..<pendingCount {
            let source = try reader.source()
            let time = Int64(bitPattern: try reader.u64())
            let ordinal = Int32(bitPattern: try reader.u32())
            let pieces = Int(try reader.u32())
            let id = try reader.counted(limit: 256)
            let line = try reader.counted(limit: maxLineBytes)
            restoredPending.append(Pending(id: id, source: source, timeNano: time, bytes: line, pieces: pieces, lastOrdinal: ordinal))
        }
        var restoredEnded: [Finished] = []
        for _ in 0..<endedCount {
            let source = try reader.source()
            let ordinal = Int32(bitPattern: try reader.u32())
            let id = try reader.counted(limit: 256)
            restoredEnded.append(Finished(id: id, source: source, lastOrdinal: ordinal, endedAt: 0))
        }
        guard reader.isAtEnd else { throw CheckpointError("\(reader.remaining) unexpected bytes at the end") }
        restoreState(pending: restoredPending, finished: restoredEnded)
    }
}

/// A checkpoint that cannot be read (damaged, or from another version).
public struct CheckpointError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

private struct CheckpointReader {
    let bytes: [UInt8]
    let end: Int
    var offset = 0

    var isAtEnd: Bool { offset == end }
    var remaining: Int { end - offset }

    func checksumAtEnd() throws(CheckpointError) -> UInt32 {
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(bytes[end + i]) << (8 * i) }
        return value
    }

    mutating func take(_ count: Int) throws(CheckpointError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw CheckpointError("truncated at byte \(offset)") }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func u32() throws(CheckpointError) -> UInt32 {
        var value: UInt32 = 0
        for (i, b) in try take(4).enumerated() { value |= UInt32(b) << (8 * i) }
        return value
    }

    mutating func u64() throws(CheckpointError) -> UInt64 {
        var value: UInt64 = 0
        for (i, b) in try take(8).enumerated() { value |= UInt64(b) << (8 * i) }
        return value
    }

    mutating func source() throws(CheckpointError) -> LogSource {
        guard let source = LogSource(code: try take(1).first!) else { throw CheckpointError("bad source at byte \(offset - 1)") }
        return source
    }

    mutating func counted(limit: Int) throws(CheckpointError) -> [UInt8] {
        let count = Int(try u32())
        guard count <= limit else { throw CheckpointError("a length of \(count) at byte \(offset - 4) exceeds \(limit)") }
        return Array(try take(count))
    }
}

extension LogSource {
    var code: UInt8 {
        switch self {
        case .stdout: return 0
        case .stderr: return 1
        case .other: return 2
        case .logship: return 3
        }
    }

    init?(code: UInt8) {
        switch code {
        case 0: self = .stdout
        case 1: self = .stderr
        case 2: self = .other
        case 3: self = .logship
        default: return nil
        }
    }
}

private extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    mutating func appendCounted(_ bytes: [UInt8]) {
        appendLittleEndian(UInt32(bytes.count))
        append(contentsOf: bytes)
    }
}

private func fnv1a32(_ bytes: some Sequence<UInt8>) -> UInt32 {
    var hash: UInt32 = 0x811C_9DC5
    for byte in bytes { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
    return hash
}
