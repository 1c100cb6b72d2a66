/// The on-disk form of one enqueued batch:
///
///     magic "LSR2" | payload bytes u32 | message count u32 | check u32   (16 bytes, little-endian)
///     message lengths, u32 each
///     payload: the formatted messages back to back
///
/// The check is the CRC-32C of the payload-bytes and message-count words and the
/// lengths: nothing that decides where a message starts or ends is read unchecked.
/// The payload is not covered: checking it would cost about as much as formatting
/// the messages (a CRC pass over every byte, per batch), so a damaged payload byte is
/// delivered as it is, but always inside the message it belongs to.
///
/// Records written before "LSR2" ("LSR1": the check mixes only the two sizes) are
/// still read; their lengths are checked only by adding up to the payload size.
///
/// A record is written with one `writev`. After a crash the tail of a segment may
/// hold a torn record; the checks and the sizes reaching past the end of the file
/// tell it apart, and recovery cuts it off.
enum SpoolRecord {
    static let magic: UInt32 = 0x3252_534C  // "LSR2" read as little-endian
    static let legacyMagic: UInt32 = 0x3152_534C  // "LSR1"
    static let headerBytes = 16

    struct Header: Equatable {
        /// Whether the check covers the lengths ("LSR2") or only the sizes ("LSR1").
        var checksLengths: Bool
        var payloadBytes: Int
        var messageCount: Int
        /// The stored check: for "LSR2", compared once the lengths are read.
        var check: UInt32

        var totalBytes: Int { SpoolRecord.headerBytes + 4 * messageCount + payloadBytes }
    }

    static func legacyCheck(_ payloadBytes: UInt32, _ messageCount: UInt32) -> UInt32 {
        (payloadBytes &* 0x9E37_79B9) ^ (messageCount &+ 0x85EB_CA6B) ^ legacyMagic
    }

    /// The "LSR2" check: CRC-32C over the two size words and the lengths as stored.
    static func check(_ payloadBytes: UInt32, _ messageCount: UInt32, lengths: UnsafeRawBufferPointer) -> UInt32 {
        var sizes = (payloadBytes.littleEndian, messageCount.littleEndian)
        let crc = withUnsafeBytes(of: &sizes) { CRC32C.checksum($0) }
        return CRC32C.checksum(lengths, continuing: crc)
    }

    /// The header of a record with `lengths` (as `encodeLengths` stores them), as four
    /// little-endian words, on the stack (no allocation per batch).
    static func encodeHeader(payloadBytes: Int, messageCount: Int, lengths: UnsafeRawBufferPointer) -> (UInt32, UInt32, UInt32, UInt32) {
        let payload = UInt32(payloadBytes)
        let count = UInt32(messageCount)
        return (magic.littleEndian, payload.littleEndian, count.littleEndian, check(payload, count, lengths: lengths).littleEndian)
    }

    /// Nil when the bytes are not a record header (a torn or foreign tail, or damage).
    static func decodeHeader(_ raw: UnsafeRawBufferPointer) -> Header? {
        guard raw.count >= headerBytes else { return nil }
        func word(_ i: Int) -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)) }
        let payload = Int(word(1)), count = Int(word(2))
        switch word(0) {
        case magic:
            return Header(checksLengths: true, payloadBytes: payload, messageCount: count, check: word(3))
        case legacyMagic where word(3) == legacyCheck(word(1), word(2)):
            return Header(checksLengths: false, payloadBytes: payload, messageCount: count, check: word(3))
        default:
            return nil
        }
    }

    /// Why `lengths` (the stored lengths, `header.messageCount` words) cannot be the
    /// lengths of the record `header` starts; nil when they can.
    static func problem(withLengths lengths: UnsafeRawBufferPointer, of header: Header) -> String? {
        if header.checksLengths {
            let computed = check(UInt32(header.payloadBytes), UInt32(header.messageCount), lengths: lengths)
            if computed != header.check {
                return "the record's check \(hex(header.check)) does not match its sizes and lengths (\(hex(computed)))"
            }
        }
        // Even a matching check is no proof against a writer's bug, and "LSR1" has no
        // other: the lengths must fill the payload exactly.
        var sum = 0
        for i in 0..<header.messageCount {
            let length = Int(UInt32(littleEndian: lengths.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            sum += length
            if sum > header.payloadBytes {
                return "message \(i)'s length \(length) runs past the record's payload of \(header.payloadBytes) bytes"
            }
        }
        if sum != header.payloadBytes {
            return "the message lengths add up to \(sum) bytes, the record's payload holds \(header.payloadBytes)"
        }
        return nil
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

    private static func hex(_ word: UInt32) -> String { "0x" + String(word, radix: 16) }
}
