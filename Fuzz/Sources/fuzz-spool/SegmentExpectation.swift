@testable import LogshipDelivery

/// What recovery must make of one damaged segment file, worked out from the bytes
/// alone (never from the code under test):
///
/// - `trusted`: the written records recovery must keep. A record is kept when its
///   header and lengths are byte for byte as written and it lies wholly in the file
///   (its payload may be damaged: the format does not check payloads).
/// - `exact`: recovery must keep nothing else, because what follows the trusted
///   records is damage the format is guaranteed to detect:
///   the file ends inside a header; a header as written whose record runs past the end
///   of the file; a first word that is no record magic; an "LSR2" header and lengths
///   with the magic and the message count as written and 1 to 3 other bits flipped
///   (CRC-32C detects every error of up to 3 bits); a payload size changed with the
///   count and lengths as written (the lengths no longer fill it); or, after the last
///   written record, a strict prefix of a written record (or fewer than 16 bytes, or
///   no magic). Anything else (more flipped bits, a flipped "LSR1" record, bytes of
///   one record over another's) may by chance read as a record: past the trusted
///   records nothing is checked then.
struct SegmentExpectation {
    let sequence: UInt64
    let bytes: [UInt8]
    let trusted: [WrittenRecord]
    let exact: Bool

    var trustedEnd: Int { trusted.last?.end ?? 0 }
    /// Recovery must cut (and report) the bytes after the trusted records.
    var mustCut: Bool { exact && bytes.count > trustedEnd }

    init(sequence: UInt64, damaged bytes: [UInt8], written: WrittenSpool) {
        self.sequence = sequence
        self.bytes = bytes
        let original = written.files[sequence] ?? []
        let records = written.records.filter { $0.position.segment == sequence }
        var trusted: [WrittenRecord] = []
        var exact = true
        var stoppedInside = false
        for record in records {
            let start = record.position.offset
            if bytes.count >= record.end && bytes[start..<record.lengthsEnd] == original[start..<record.lengthsEnd] {
                trusted.append(record)
                continue
            }
            exact = Self.detected(at: start, record: record, bytes: bytes, original: original,
                                  legacy: written.legacySegments.contains(sequence))
            stoppedInside = true
            break
        }
        if !stoppedInside && bytes.count > (trusted.last?.end ?? 0) {
            exact = Self.detectedTail(bytes[(trusted.last?.end ?? 0)...], written: written)
        }
        self.trusted = trusted
        self.exact = exact
    }

    private static let magic: [UInt8] = [0x4C, 0x53, 0x52, 0x32]  // "LSR2"
    private static let legacyMagic: [UInt8] = [0x4C, 0x53, 0x52, 0x31]  // "LSR1"

    /// Whether damage to `record` (its header or lengths changed, or the file ends in
    /// it) is sure to be found.
    private static func detected(at start: Int, record: WrittenRecord, bytes: [UInt8], original: [UInt8], legacy: Bool) -> Bool {
        let headerEnd = start + SpoolRecord.headerBytes
        if bytes.count < headerEnd { return true }  // no room for a header
        let magicNow = Array(bytes[start..<start + 4])
        if magicNow != magic && magicNow != legacyMagic { return true }
        if bytes[start..<headerEnd] == original[start..<headerEnd] && bytes.count < record.end {
            return true  // the header as written: its record runs past the end of the file
        }
        guard magicNow == Array(original[start..<start + 4]),
              bytes[start + 8..<start + 12] == original[start + 8..<start + 12],  // the count, so the lengths read are these
              bytes.count >= record.lengthsEnd else { return false }
        if bytes[start + 16..<record.lengthsEnd] == original[start + 16..<record.lengthsEnd],
           bytes[start + 4..<start + 8] != original[start + 4..<start + 8] {
            return true  // payload size changed, lengths as written: they no longer fill it
        }
        if legacy { return false }
        var flipped = 0
        for i in start + 4..<record.lengthsEnd { flipped += (bytes[i] ^ original[i]).nonzeroBitCount }
        return flipped >= 1 && flipped <= 3
    }

    /// Whether bytes after the last written record are sure not to read as a record.
    private static func detectedTail(_ tail: ArraySlice<UInt8>, written: WrittenSpool) -> Bool {
        if tail.count < SpoolRecord.headerBytes { return true }
        let magicNow = Array(tail.prefix(4))
        if magicNow != magic && magicNow != legacyMagic { return true }
        // A strict prefix of a written record: its header says more bytes follow.
        return written.records.contains { record in
            guard let source = written.files[record.position.segment], tail.count < record.totalBytes else { return false }
            return tail.elementsEqual(source[record.position.offset..<record.position.offset + tail.count])
        }
    }
}
