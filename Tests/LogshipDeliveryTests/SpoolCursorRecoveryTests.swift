import Glibc
import LogshipSystem
import Testing
@testable import LogshipDelivery

/// What `Spool.init` makes of a cursor that no longer matches the records: after a
/// host crash with SPOOL_SYNC=none the cursor file and the segments are written
/// back independently, so the cursor can point anywhere. Delivery resumes at the
/// first record boundary at or after it, and the spool never traps.
@Suite struct SpoolCursorRecoveryTests {
    /// Records A (2 messages) and B (1 message) in the spool's first segment.
    private func twoRecords(_ directory: String) throws -> (a: SpoolPosition, b: SpoolPosition) {
        let spool = try Spool(directory: directory, maxBytes: 1 << 20)
        defer { spool.close() }
        let a = try spool.append(batch(["a0", "a1"]))
        let b = try spool.append(batch(["b0"]))
        return (a, b)
    }

    @Test func cursorMessageIndexBeyondItsRecordResumesAtTheNextRecord() throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        let (a, b) = try twoRecords(directory)
        // The record the cursor was in was cut, and a shorter one took its place.
        try writeCursor(directory, segment: a.segment, offset: UInt64(a.offset), message: 5)
        let spool = try Spool(directory: directory, maxBytes: 1 << 20)
        defer { spool.close() }
        #expect(spool.firstUndelivered == b)
        #expect(try readAll(spool, from: spool.firstUndelivered) == [ReadRecord(position: b, messages: ["b0"])])
        #expect(spool.recoveryProblems.contains { $0.contains("cursor") })
    }

    @Test func cursorInsideARecordResumesAtTheNextRecordBoundary() throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        let (a, b) = try twoRecords(directory)
        try writeCursor(directory, segment: a.segment, offset: UInt64(a.offset + 5), message: 0)
        let spool = try Spool(directory: directory, maxBytes: 1 << 20)
        defer { spool.close() }
        #expect(spool.firstUndelivered == b)
        #expect(try readAll(spool, from: spool.firstUndelivered) == [ReadRecord(position: b, messages: ["b0"])])
        #expect(spool.recoveryProblems.contains { $0.contains("cursor") })
    }

    @Test func cursorPastTheEndResumesAtTheEnd() throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        let (a, _) = try twoRecords(directory)
        try writeCursor(directory, segment: a.segment, offset: 10_000, message: 0)
        let spool = try Spool(directory: directory, maxBytes: 1 << 20)
        defer { spool.close() }
        #expect(spool.undeliveredMessages == 0)
        // What is appended now is what delivery reads next.
        let c = try spool.append(batch(["c0"]))
        #expect(try readAll(spool, from: spool.firstUndelivered) == [ReadRecord(position: c, messages: ["c0"])])
        #expect(spool.recoveryProblems.contains { $0.contains("cursor") })
    }

    /// The cursor's words are unsigned on disk; ones beyond Int.max are damage too.
    @Test(arguments: [(UInt64.max, UInt64(0)), (UInt64(0), UInt64.max), (UInt64(1) << 63, UInt64(1) << 63)])
    func cursorWordsBeyondIntMaxAreClampedNotTrapped(offset: UInt64, message: UInt64) throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        let (a, b) = try twoRecords(directory)
        try writeCursor(directory, segment: a.segment, offset: offset, message: message)
        let spool = try Spool(directory: directory, maxBytes: 1 << 20)
        defer { spool.close() }
        let expected = offset == 0 ? [ReadRecord(position: b, messages: ["b0"])] : []
        #expect(try readAll(spool, from: spool.firstUndelivered) == expected)
    }

    /// New records never follow recovered ones in the same file: a tail recovery cut
    /// (or could not cut) stays out of the way, and a stale cursor can never point
    /// into a record written after the crash.
    @Test func appendsAfterRecoveryGoToAFreshSegment() throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        let (a, b) = try twoRecords(directory)
        try writeBytes(segmentPath(directory, a.segment), [0x4C, 0x53, 0x52], at: try fileSize(segmentPath(directory, a.segment)))
        let spool = try Spool(directory: directory, maxBytes: 1 << 20)
        defer { spool.close() }
        let c = try spool.append(batch(["c0"]))
        #expect(c == SpoolPosition(segment: a.segment + 1, offset: 0))
        #expect(try readAll(spool, from: spool.firstUndelivered) == [
            ReadRecord(position: a, messages: ["a0", "a1"]),
            ReadRecord(position: b, messages: ["b0"]),
            ReadRecord(position: c, messages: ["c0"]),
        ])
    }
}
