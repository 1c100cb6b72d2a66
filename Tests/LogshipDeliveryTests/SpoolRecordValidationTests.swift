import Glibc
import LogshipSystem
import Testing
@testable import LogshipDelivery

/// Every length and index the spool reads from disk is checked before it is used:
/// damage is an error (thrown, or cut and reported by recovery), never a trap and
/// never messages with made-up boundaries.
@Suite struct SpoolRecordValidationTests {
    @Test func recordsOlderVersionsWroteAreStillRead() throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        try writeSegment(directory, 1, [legacyRecord(["old0", "old1"]), legacyRecord(["old2"])])
        let spool = try Spool(directory: directory, maxBytes: 1 << 20)
        defer { spool.close() }
        #expect(spool.recoveryProblems.isEmpty)
        #expect(try readAll(spool, from: spool.firstUndelivered).flatMap(\.messages) == ["old0", "old1", "old2"])
    }

    /// An old record's lengths are covered by no check: recovery adds them up against
    /// the payload and cuts the record when they disagree.
    @Test(arguments: [
        [UInt32(10), 0],  // past the payload: read with the cursor on message 1, it trapped
        [3, 3],           // more than the payload: boundaries past the bytes read
        [1, 1],           // less than the payload: bytes silently lost
        [0xFFFF_FFFF, 5], // a sum that overflows 32 bits
    ])
    func legacyLengthsThatDoNotAddUpToThePayloadAreCut(lengths: [UInt32]) throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        let good = legacyRecord(["g0"])
        try writeSegment(directory, 1, [good, legacyRecord(["ab", "cd"], lengths: lengths)])
        try writeCursor(directory, segment: 1, offset: UInt64(good.count), message: 1)
        let spool = try Spool(directory: directory, maxBytes: 1 << 20)
        defer { spool.close() }
        #expect(try readAll(spool, from: spool.firstUndelivered) == [])
        #expect(try readAll(spool, from: SpoolPosition(segment: 1, offset: 0)).flatMap(\.messages) == ["g0"])
        #expect(spool.recoveryProblems.contains { $0.contains("\(good.count)") })
    }

    /// Lengths changed on disk with their sum intact pass every size check; only a
    /// check over the lengths tells.
    @Test func lengthsDamagedOnDiskAreCutNotDelivered() throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        let a: SpoolPosition
        do {
            let spool = try Spool(directory: directory, maxBytes: 1 << 20)
            a = try spool.append(batch(["ab", "cde"]))
            _ = try spool.append(batch(["f"]))
            spool.close()
        }
        try writeBytes(segmentPath(directory, a.segment), littleEndianWords([3, 2]), at: a.offset + SpoolRecord.headerBytes)
        let spool = try Spool(directory: directory, maxBytes: 1 << 20)
        defer { spool.close() }
        let read = try readAll(spool, from: SpoolPosition(segment: a.segment, offset: 0))
        #expect(!read.contains { $0.messages == ["abc", "de"] })
        #expect(read.isEmpty)
        #expect(spool.recoveryProblems.count == 1)
    }

    /// Damage done after recovery indexed the segment is found when the record is read.
    @Test func lengthsDamagedAfterRecoveryFailTheRead() throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        let spool = try Spool(directory: directory, maxBytes: 1 << 20)
        defer { spool.close() }
        let a = try spool.append(batch(["ab", "cde"]))
        try writeBytes(segmentPath(directory, a.segment), littleEndianWords([3, 2]), at: a.offset + SpoolRecord.headerBytes)
        var taken = batch(["kept"])
        #expect(throws: (any Error).self) {
            _ = try spool.read(from: a, upTo: nil, into: &taken, maxBytes: 1 << 20)
        }
        #expect(messages(taken) == ["kept"])
    }

    /// A segment cut short after recovery (another process, a failing disk): the read
    /// stops at the record the file no longer holds instead of returning zeros, and
    /// hands over the whole records before it.
    @Test func shortReadsFailTheRecordTheyHit() throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        let spool = try Spool(directory: directory, maxBytes: 1 << 20)
        defer { spool.close() }
        let a = try spool.append(batch(["first"]))
        let b = try spool.append(batch([String(repeating: "s", count: 100)]))
        try truncateFile(segmentPath(directory, b.segment), to: b.offset + SpoolRecord.headerBytes + 4 + 20)
        var taken = MessageBatch()
        let read = try spool.read(from: a, upTo: nil, into: &taken, maxBytes: 1 << 20)
        #expect(read?.next == b)
        #expect(messages(taken) == ["first"])
        taken.removeAll()
        #expect(throws: (any Error).self) {
            _ = try spool.read(from: b, upTo: nil, into: &taken, maxBytes: 1 << 20)
        }
        #expect(taken.isEmpty)
    }

    @Test func readingFromAMessageIndexBeyondTheRecordFails() throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        let spool = try Spool(directory: directory, maxBytes: 1 << 20)
        defer { spool.close() }
        let a = try spool.append(batch(["a0", "a1"]))
        var taken = MessageBatch()
        #expect(throws: (any Error).self) {
            _ = try spool.read(from: SpoolPosition(segment: a.segment, offset: a.offset, message: 3), upTo: nil, into: &taken, maxBytes: 1 << 20)
        }
        #expect(taken.isEmpty)
    }
}
