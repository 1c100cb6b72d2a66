@testable import LogshipDelivery
import FuzzSupport

/// A record the harness appended through `Spool.append`, where it landed.
struct WrittenRecord {
    let position: SpoolPosition
    let messages: [[UInt8]]

    var lengthsEnd: Int { position.offset + SpoolRecord.headerBytes + 4 * messages.count }
    var end: Int { lengthsEnd + messages.reduce(0) { $0 + $1.count } }
    var totalBytes: Int { end - position.offset }
}

/// A valid spool written through the real API (appends, an optional restart in the
/// middle, an optional acknowledge, an optional segment rewritten as "LSR1" records as
/// older versions wrote them), and what its files hold once the writer closed it.
struct WrittenSpool {
    /// Records in segment files that still exist, in order.
    var records: [WrittenRecord] = []
    /// Each segment file's bytes as written, by sequence.
    var files: [UInt64: [UInt8]] = [:]
    /// Segments whose records were rewritten as "LSR1".
    var legacySegments: Set<UInt64> = []

    /// Input: record count, segment size, flags (1 restart, 2 "LSR1", 4 acknowledge),
    /// the restart's record, then per record its message count and each message's
    /// length, then the acknowledged record and message, then which segment is "LSR1".
    static func write(in directory: String, _ input: inout InputBytes) -> WrittenSpool {
        let recordCount = 1 + input.below(20)
        let segmentBytes = 48 + 4 * Int(input.byte())
        let flags = input.byte()
        let restartBefore = flags & 1 != 0 ? input.below(recordCount) : -1
        var written = WrittenSpool()
        var spool = open(directory, segmentBytes: segmentBytes)
        var appended: [WrittenRecord] = []
        for i in 0..<recordCount {
            if i == restartBefore {
                spool.close()
                spool = open(directory, segmentBytes: segmentBytes)
                invariant(spool.recoveryProblems.isEmpty, "recovering an undamaged spool reported \(spool.recoveryProblems)")
            }
            let messages = (0..<1 + input.below(4)).map { messageContent(record: i, message: $0, length: input.below(48)) }
            var batch = MessageBatch()
            for message in messages {
                batch.bytes += message
                batch.endMessage()
            }
            do {
                appended.append(WrittenRecord(position: try spool.append(batch), messages: messages))
            } catch {
                invariant(false, "append failed: \(error)")
            }
        }
        if flags & 4 != 0 {
            let record = appended[input.below(appended.count)]
            let through = SpoolPosition(segment: record.position.segment, offset: record.position.offset,
                                        message: input.below(record.messages.count))
            do { try spool.acknowledge(through: through) } catch { invariant(false, "acknowledge failed: \(error)") }
        }
        spool.close()

        for name in HarnessFiles.names(in: directory) {
            guard let sequence = SpoolSegment.sequence(ofFileName: name) else { continue }
            written.files[sequence] = HarnessFiles.read(directory + "/" + name)
        }
        written.records = appended.filter { written.files[$0.position.segment] != nil }
        if flags & 2 != 0, !written.files.isEmpty {
            let sequence = written.files.keys.sorted()[input.below(written.files.count)]
            written.rewriteAsLegacy(sequence, directory: directory)
        }
        return written
    }

    private static func open(_ directory: String, segmentBytes: Int) -> Spool {
        do {
            return try Spool(directory: directory, maxBytes: 1 << 30, segmentBytes: segmentBytes)
        } catch {
            invariant(false, "opening the spool failed: \(error)")
            fatalError()
        }
    }

    /// Different for every record and message, so a message read from the wrong
    /// place never equals the one expected there.
    static func messageContent(record: Int, message: Int, length: Int) -> [UInt8] {
        (0..<length).map { UInt8(33 + (record &* 31 &+ message &* 7 &+ $0) % 90) }
    }

    /// Rewrites the headers of the records in segment `sequence` as "LSR1" (same sizes,
    /// the old check over the sizes only), as a spool written by an older version.
    private mutating func rewriteAsLegacy(_ sequence: UInt64, directory: String) {
        guard var bytes = files[sequence] else { return }
        for record in records where record.position.segment == sequence {
            let payload = UInt32(record.end - record.lengthsEnd)
            let count = UInt32(record.messages.count)
            let words = [SpoolRecord.legacyMagic, payload, count, SpoolRecord.legacyCheck(payload, count)]
            for (w, word) in words.enumerated() {
                for b in 0..<4 { bytes[record.position.offset + 4 * w + b] = UInt8(truncatingIfNeeded: word >> (8 * b)) }
            }
        }
        files[sequence] = bytes
        legacySegments.insert(sequence)
        HarnessFiles.write(directory + "/" + SpoolSegment.fileName(sequence), bytes)
    }
}
