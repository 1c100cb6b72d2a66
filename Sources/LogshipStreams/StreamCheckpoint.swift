import LogshipWire

/// What a stream keeps on disk (`STATE_DIR/streams/….partial`) while it has lines or
/// messages in progress whose FIFO bytes it consumes: the reassembler's partial lines,
/// the joiner's messages in progress, and a fingerprint of the bytes about to be
/// consumed when the checkpoint was written.
///
/// The fingerprint is what keeps a joined message whole through a crash. The reader
/// writes the checkpoint (state after a read), then consumes the read's bytes. A plugin
/// killed in between finds the same bytes at the head of the FIFO again: their lines
/// are already in the restored messages, and applying them twice would double them. So
/// when the head of the FIFO is exactly the fingerprinted bytes, the restored stream
/// discards them unread. (The reassembler also recognises repeated pieces by their
/// ordinals; whole lines have nothing like it.)
///
///     magic "LSC2" | reassembler u32+bytes | events u32+bytes |
///     consumed length u32 | consumed hash u32 | FNV-1a 32 of the header fields
///
/// The sections carry their own checksums. A version-1 checkpoint ("LSC1", written
/// before multi-line joining existed) is the reassembler's section alone.
struct StreamCheckpoint {
    var reassembler: [UInt8]
    var events: [UInt8]
    var consumed: ConsumedBytes?

    static let magic: UInt32 = 0x3243_534C  // "LSC2" read as little-endian
    static let reassemblerOnlyMagic: UInt32 = 0x3143_534C  // "LSC1"

    func encoded() -> [UInt8] {
        var header: [UInt8] = []
        header.littleEndian(Self.magic)
        header.littleEndian(UInt32(reassembler.count))
        header.littleEndian(UInt32(events.count))
        header.littleEndian(UInt32(consumed?.length ?? 0))
        header.littleEndian(consumed?.hash ?? 0)
        var out = header
        out.littleEndian(fnv1a(header))
        out += reassembler
        out += events
        return out
    }

    static func decode(_ bytes: [UInt8]) throws(CheckpointError) -> StreamCheckpoint {
        func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * $1) } }
        guard bytes.count >= 4 else { throw CheckpointError("\(bytes.count) bytes are too few for a checkpoint") }
        if u32(0) == reassemblerOnlyMagic { return StreamCheckpoint(reassembler: bytes, events: [], consumed: nil) }
        guard u32(0) == magic else { throw CheckpointError("not a checkpoint (bad magic)") }
        guard bytes.count >= 24, u32(20) == fnv1a(bytes[0..<20]) else { throw CheckpointError("damaged header") }
        let reassemblerCount = Int(u32(4))
        let eventsCount = Int(u32(8))
        guard bytes.count == 24 + reassemblerCount + eventsCount else { throw CheckpointError("\(bytes.count) bytes, not the length the header gives") }
        let consumedLength = Int(u32(12))
        return StreamCheckpoint(reassembler: Array(bytes[24..<(24 + reassemblerCount)]),
                                events: Array(bytes[(24 + reassemblerCount)...]),
                                consumed: consumedLength == 0 ? nil : ConsumedBytes(length: consumedLength, hash: u32(16)))
    }
}

/// Which bytes a read handed on: their length and a hash of their first and last 256
/// bytes. Every frame carries a nanosecond timestamp, so bytes with the same length and
/// the same ends as those of a read are those bytes.
public struct ConsumedBytes: Equatable, Sendable {
    public let length: Int
    let hash: UInt32

    init(length: Int, hash: UInt32) {
        self.length = length
        self.hash = hash
    }

    init(_ bytes: UnsafeRawBufferPointer) {
        length = bytes.count
        hash = ConsumedBytes.hash(bytes)
    }

    /// Whether `head` (the unconsumed head of the FIFO) begins with those bytes.
    public func begins(_ head: UnsafeRawBufferPointer) -> Bool {
        head.count >= length && ConsumedBytes.hash(UnsafeRawBufferPointer(rebasing: head[..<length])) == hash
    }

    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        let edge = min(256, bytes.count)
        return fnv1a(bytes[..<edge], seed: fnv1a(bytes[(bytes.count - edge)...], seed: UInt32(truncatingIfNeeded: bytes.count)))
    }
}

private func fnv1a(_ bytes: some Sequence<UInt8>, seed: UInt32 = 0) -> UInt32 {
    var hash: UInt32 = 0x811C_9DC5 ^ seed
    for byte in bytes { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
    return hash
}

private extension Array where Element == UInt8 {
    mutating func littleEndian(_ value: UInt32) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
