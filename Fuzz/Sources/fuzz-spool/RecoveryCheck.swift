@testable import LogshipDelivery
import FuzzSupport

/// A record `Spool.read` handed over: where it starts and its messages.
struct ReadBackRecord {
    let position: SpoolPosition
    let messages: [[UInt8]]
}

/// Recovers the damaged spool with `Spool.init`, reads everything from its cursor
/// with `Spool.read`, and checks what comes back against the written records and the
/// damaged bytes. What is asserted, beyond "never traps":
///
/// 1. Recovery and every read succeed (damage is cut and reported, never thrown on
///    a later read of what recovery kept), and recovery reports each cut it must make.
/// 2. Records come back in strictly increasing (segment, offset) order, none twice,
///    only the first starting past message 0; none from a segment below the cursor's,
///    and none from a segment that holds no written record (the fresh one included).
/// 3. A record at an offset inside the trusted records of its segment (see
///    `SegmentExpectation`) is a trusted record: same offset, the written lengths from
///    its first message read on, and exactly the bytes the file holds for them there,
///    which are the written messages unless damage hit that payload. Past the trusted
///    records, nothing comes back from an `exact` segment; from another it is not
///    checked (a damaged record may read as a valid one by chance).
/// 4. Every trusted record at or after the cursor comes back: the cursor as the
///    damaged file says, placed on the next record boundary when it is not at one (or
///    past its record's messages), with all of a later segment. When the cursor's own
///    segment is not `exact`, its records are not checked for completeness.
/// 5. `undeliveredMessages` counts what the reads returned, and a batch appended after
///    recovery reads back as it was, from a segment no written record is in.
struct RecoveryCheck {
    let directory: String
    let written: WrittenSpool
    let damaged: DamagedSpool
    /// Reads of up to 2^k bytes (whole records, at least one): from one record per
    /// read to everything in one.
    let readBytes: Int

    func run() {
        let spool: Spool
        do {
            spool = try Spool(directory: directory, maxBytes: 1 << 30)
        } catch {
            invariant(false, "recovery threw: \(error)")
            return
        }
        defer { spool.close() }
        let expectations = damaged.files.keys.sorted().map {
            SegmentExpectation(sequence: $0, damaged: damaged.files[$0]!, written: written)
        }
        // Segments below the cursor's are deleted as delivered, not recovered.
        for expectation in expectations where expectation.mustCut && expectation.sequence >= cursor.segment {
            let name = SpoolSegment.fileName(expectation.sequence)
            invariant(spool.recoveryProblems.contains { $0.contains(name) },
                      "segment \(name) holds \(expectation.bytes.count - expectation.trustedEnd) bytes after its last intact record at \(expectation.trustedEnd) and no cut was reported: \(spool.recoveryProblems)")
        }
        let records = readAll(spool, from: spool.firstUndelivered)
        checkOrder(records)
        checkRecords(records, expectations)
        checkCompleteness(records, expectations)
        invariant(spool.undeliveredMessages == records.reduce(0) { $0 + $1.messages.count },
                  "undeliveredMessages \(spool.undeliveredMessages), read \(records.reduce(0) { $0 + $1.messages.count })")
        checkAppendAfterRecovery(spool, after: expectations.last?.sequence ?? 0)
    }

    private func readAll(_ spool: Spool, from start: SpoolPosition) -> [ReadBackRecord] {
        var records: [ReadBackRecord] = []
        var position = start
        var batch = MessageBatch()
        for _ in 0..<10_000 {
            let result: (next: SpoolPosition, records: [(SpoolPosition, Int)])?
            do {
                result = try spool.read(from: position, upTo: nil, into: &batch, maxBytes: readBytes)
            } catch {
                invariant(false, "reading at \(position) threw after recovery: \(error)")
                return records
            }
            guard let (next, read) = result else { return records }
            invariant(!read.isEmpty && next > position, "read at \(position) returned \(read.count) records and next \(next)")
            var index = 0
            for (recordPosition, count) in read {
                invariant(index + count <= batch.count, "read claims \(count) messages at \(recordPosition), the batch holds \(batch.count - index)")
                let messages = (index..<index + count).map { Array(batch.bytes[batch.start(of: $0)..<batch.ends[$0]]) }
                records.append(ReadBackRecord(position: recordPosition, messages: messages))
                index += count
            }
            invariant(index == batch.count, "read returned \(batch.count) messages for records of \(index)")
            batch.removeAll()
            position = next
        }
        invariant(false, "reading never reached the end")
        return records
    }

    private var cursor: (segment: UInt64, offset: UInt64, message: UInt64) {
        guard damaged.cursor.count >= 24 else { return (0, 0, 0) }
        func word(_ w: Int) -> UInt64 { (0..<8).reduce(UInt64(0)) { $0 | UInt64(damaged.cursor[8 * w + $1]) << (8 * $1) } }
        return (word(0), word(1), word(2))
    }

    private func checkOrder(_ records: [ReadBackRecord]) {
        for (i, record) in records.enumerated() {
            invariant(record.position.segment >= cursor.segment, "record at \(record.position) is below the cursor's segment \(cursor.segment), which recovery deletes")
            invariant(i == 0 || record.position.message == 0, "record \(i) at \(record.position) starts past its first message")
            if i > 0 {
                let previous = records[i - 1].position
                invariant((previous.segment, previous.offset) < (record.position.segment, record.position.offset),
                          "record at \(record.position) comes after \(previous): out of order or twice")
            }
        }
    }

    private func checkRecords(_ records: [ReadBackRecord], _ expectations: [SegmentExpectation]) {
        for record in records {
            guard let expectation = expectations.first(where: { $0.sequence == record.position.segment }) else {
                invariant(false, "record at \(record.position) is in a segment no written record is in")
                return
            }
            if let trusted = expectation.trusted.first(where: { $0.position.offset == record.position.offset }) {
                check(record, against: trusted, in: expectation.bytes)
            } else {
                invariant(record.position.offset >= expectation.trustedEnd,
                          "record at \(record.position) starts inside the intact records of its segment: not where one was written")
                invariant(!expectation.exact, "record at \(record.position) is past the \(expectation.trusted.count) records recovery must keep, and what follows them is damage it must cut")
            }
        }
    }

    private func check(_ record: ReadBackRecord, against trusted: WrittenRecord, in bytes: [UInt8]) {
        let skip = record.position.message
        invariant(skip < trusted.messages.count, "record at \(record.position) starts past its \(trusted.messages.count) messages")
        let expectedLengths = trusted.messages.dropFirst(skip).map(\.count)
        invariant(record.messages.map(\.count) == expectedLengths,
                  "record at \(record.position): lengths \(record.messages.map(\.count)), written \(expectedLengths)")
        var at = trusted.lengthsEnd + trusted.messages.prefix(skip).reduce(0) { $0 + $1.count }
        for (i, message) in record.messages.enumerated() {
            invariant(message[...] == bytes[at..<at + message.count],
                      "record at \(record.position), message \(skip + i): not the bytes the file holds there")
            at += message.count
        }
    }

    private func checkCompleteness(_ records: [ReadBackRecord], _ expectations: [SegmentExpectation]) {
        let cursor = self.cursor
        for expectation in expectations where expectation.sequence >= cursor.segment {
            var expected: [SpoolPosition]
            if expectation.sequence == cursor.segment {
                guard expectation.exact else { continue }
                let kept = expectation.trusted
                if let k = kept.firstIndex(where: { UInt64($0.position.offset) == cursor.offset }) {
                    expected = cursor.message < UInt64(kept[k].messages.count)
                        ? [SpoolPosition(segment: expectation.sequence, offset: kept[k].position.offset, message: Int(cursor.message))]
                        : []
                    expected += kept[(k + 1)...].map(\.position)
                } else {
                    expected = kept.filter { UInt64($0.position.offset) > cursor.offset }.map(\.position)
                }
                let got = records.filter { $0.position.segment == expectation.sequence }.map(\.position)
                invariant(got == expected, "from cursor \(cursor) in segment \(expectation.sequence): read \(got), expected \(expected)")
            } else {
                expected = expectation.trusted.map(\.position)
                let got = records.filter { $0.position.segment == expectation.sequence && $0.position.offset < expectation.trustedEnd }.map(\.position)
                invariant(got == expected, "segment \(expectation.sequence) after the cursor's: read \(got), expected its intact records \(expected)")
            }
        }
    }

    private func checkAppendAfterRecovery(_ spool: Spool, after highest: UInt64) {
        var batch = MessageBatch()
        let messages = [Array("appended after recovery".utf8), []]
        for message in messages {
            batch.bytes += message
            batch.endMessage()
        }
        do {
            let position = try spool.append(batch)
            invariant(position.segment > highest && position.offset == 0, "the first append after recovery landed at \(position), not at the start of a fresh segment")
            let back = readAll(spool, from: position)
            invariant(back.count == 1 && back[0].messages == messages, "the append after recovery read back as \(back.map(\.messages))")
        } catch {
            invariant(false, "append after recovery failed: \(error)")
        }
    }
}
