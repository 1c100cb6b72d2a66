/// The on-disk form of one enqueued batch:
///
///     magic "LSR1" | payload bytes u32 | message count u32 | check u32   (16 bytes, little-endian)
///     message lengths, u32 each
///     payload: the formatted messages back to back
///
/// A record is written with one `writev`. After a crash the tail of a segment may
/// hold a torn record; the header check and the lengths reaching past the end of the
/// file tell it apart, and recovery cuts it off.
enum SpoolRecord {
    static let magic: UInt32 = 0x3152_534C  // "LSR1" read as little-endian
    static let headerBytes = 16

    struct Header: Equatable {
        var payloadBytes: Int
        var messageCount: Int

        var totalBytes: Int { SpoolRecord.headerBytes + 4 * messageCount + payloadBytes }
    }

    static func check(_ payloadBytes: UInt32, _ messageCount: UInt32) -> UInt32 {
        (payloadBytes &* 0x9E37_79B9) ^ (messageCount &+ 0x85EB_CA6B) ^ magic
    }

    /// The header as four little-endian words, on the stack (no allocation per batch).
    static func encodeHeader(_ header: Header) -> (UInt32, UInt32, UInt32, UInt32) {
        let payload = UInt32(header.payloadBytes)
        let count = UInt32(header.messageCount)
        return (magic.littleEndian, payload.littleEndian, count.littleEndian, check(payload, count).littleEndian)
    }

    /// Nil when the bytes are not a record header (a torn or foreign tail).
    static func decodeHeader(_ raw: UnsafeRawBufferPointer) -> Header? {
        guard raw.count >= headerBytes else { return nil }
        func word(_ i: Int) -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)) }
        guard word(0) == magic, word(3) == check(word(1), word(2)) else { return nil }
        return Header(payloadBytes: Int(word(1)), messageCount: Int(word(2)))
    }

    /// The message lengths of a batch, as stored after the header.
    static func encodeLengths(_ batch: MessageBatch, into lengths: inout [UInt32]) {
        lengths.removeAll(keepingCapacity: true)
        var start = 0
        for end in batch.ends {
            lengths.append(UInt32(end - start).littleEndian)
            start = end
        }
    }
}
