import LogshipDestinations
import LogshipSystem

/// A destination's messages on disk: segment files of records, plus a cursor file
/// saying where delivery stands. Everything a stream reads is appended here before
/// it is sent, so a plugin that is killed loses nothing it had taken from a FIFO;
/// delivered segments are deleted.
///
/// Not thread-safe: the owning queue serialises access.
final class Spool {
    let directory: String
    let maxBytes: Int
    let segmentBytes: Int
    let sync: SpoolSync

    private var segments: [SpoolSegment] = []
    /// Closed exactly once, like the segments' files.
    private let cursor: OwnedDescriptor
    private var cursorFile: FileDescriptor { get throws { try cursor.descriptor } }
    /// The first message not yet delivered; persisted in the cursor file.
    private(set) var firstUndelivered: SpoolPosition
    private var lengths: [UInt32] = []
    /// The last number `reserveSegmentNumber` gave out (0: none).
    private var reservedSegmentNumber: UInt64 = 0
    private(set) var totalBytes = 0
    /// What recovery had to cut off, one line per segment, for the plugin log.
    private(set) var recoveryProblems: [String] = []

    /// Opens (or creates) the spool in `directory`, recovering what a previous run left.
    init(directory: String, maxBytes: Int, segmentBytes: Int = 16 << 20, sync: SpoolSync = .none) throws {
        self.directory = directory
        self.maxBytes = maxBytes
        self.segmentBytes = segmentBytes
        self.sync = sync
        try FileSystem.makeDirectory(directory)
        cursor = OwnedDescriptor(try FileDescriptor.open(directory + "/cursor", [.readWrite, .create], mode: 0o600),
                                 name: directory + "/cursor")
        firstUndelivered = SpoolPosition(segment: 0, offset: 0)  // placed by recover()
        do {
            try recover()
        } catch {
            close()
            throw error
        }
    }

    /// The cursor as a run saved it, before it is checked against the segments.
    private typealias SavedCursor = (segment: UInt64, offset: UInt64, message: UInt64)

    /// Indexes the segments a previous run left (cutting what is not readable), starts
    /// a fresh segment for this run's appends and places the cursor on what was kept.
    ///
    /// Appends never continue a recovered segment: its end may be a cut, or bytes that
    /// could not be cut, and a cursor saved before a host crash may point past records
    /// that did not survive it. A fresh segment keeps every position this run writes
    /// out of reach of a stale cursor.
    private func recover() throws {
        let saved = try readCursor()
        var highest: UInt64 = 0
        let sequences = try FileSystem.listDirectory(directory).compactMap(SpoolSegment.sequence(ofFileName:)).sorted()
        for sequence in sequences {
            highest = max(highest, sequence)
            let path = directory + "/" + SpoolSegment.fileName(sequence)
            if sequence < saved.segment {
                FileSystem.remove(path)  // delivered before the last run ended
                continue
            }
            let segment = try SpoolSegment.recover(path: path, sequence: sequence)
            if segment.cutBytes > 0 {
                recoveryProblems.append("spool segment \(path): \(segment.cutBytes) bytes after offset \(segment.size) are not readable records (torn by a crash, or damaged: \(segment.cutProblem)) and were cut off; the messages in them are lost")
            }
            if segment.size == 0 {
                segment.delete()  // nothing in it to deliver, and no more appends
                continue
            }
            segments.append(segment)
            totalBytes += segment.size
        }
        // After the cursor too: it may point into a number reserved for records that
        // were kept in memory only (a full disk), which no segment may reuse. (Segment
        // numbers stay below 2^63; a cursor beyond that is damage, resumed at the end.)
        try startSegment(sequence: max(highest, min(saved.segment, UInt64(1) << 62)) + 1)
        firstUndelivered = resumePosition(from: saved)
    }

    /// The cursor file's three words; the start of the spool when there are none yet.
    private func readCursor() throws -> SavedCursor {
        var words = (UInt64(0), UInt64(0), UInt64(0))
        let got = try withUnsafeMutableBytes(of: &words) { try cursorFile.read(into: $0, at: 0) }
        guard got == 24 else {
            if got > 0 {
                recoveryProblems.append("spool cursor \(directory)/cursor holds \(got) bytes, not 24: delivery starts again at the oldest message kept")
            }
            return (0, 0, 0)
        }
        return (UInt64(littleEndian: words.0), UInt64(littleEndian: words.1), UInt64(littleEndian: words.2))
    }

    /// Where delivery resumes: the saved cursor when it is a message of a record that
    /// recovery kept, otherwise the first record boundary after it (the records before
    /// it were delivered as they were then; what follows was not). A cursor in a
    /// segment that is gone resumes at the next one. Any move but that is reported.
    private func resumePosition(from saved: SavedCursor) -> SpoolPosition {
        // Every segment left has a sequence >= saved.segment, except perhaps the fresh one.
        guard let index = segments.firstIndex(where: { $0.sequence >= saved.segment }) else {
            let fresh = SpoolPosition(segment: segments[segments.count - 1].sequence, offset: 0)
            recoveryProblems.append("spool cursor \(saved.segment):\(saved.offset):\(saved.message) is past the last segment; delivery resumes at the end, \(fresh)")
            return fresh
        }
        let segment = segments[index]
        guard segment.sequence == saved.segment else { return SpoolPosition(segment: segment.sequence, offset: 0) }
        // Words beyond Int.max are past any file and any record's messages.
        let offset = Int(exactly: saved.offset) ?? Int.max
        let message = Int(exactly: saved.message) ?? Int.max
        let position: SpoolPosition
        var why: String?
        if let record = segment.recordIndex(at: offset) {
            if message < segment.records[record].messages {
                position = SpoolPosition(segment: segment.sequence, offset: offset, message: message)
            } else {
                position = SpoolPosition(segment: segment.sequence, offset: record + 1 < segment.records.count ? segment.records[record + 1].offset : segment.size)
                why = "is past the \(segment.records[record].messages) messages of its record"
            }
        } else if offset == segment.size {
            position = SpoolPosition(segment: segment.sequence, offset: offset)
        } else if offset > segment.size {
            position = SpoolPosition(segment: segment.sequence, offset: segment.size)
            why = "is past the \(segment.size) bytes of records kept in \(segment.path)"
        } else {
            position = SpoolPosition(segment: segment.sequence, offset: segment.records.first { $0.offset > offset }?.offset ?? segment.size)
            why = "is inside a record of \(segment.path), not where one starts"
        }
        let resumed = position.offset == segment.size && index + 1 < segments.count
            ? SpoolPosition(segment: segments[index + 1].sequence, offset: 0) : position
        if let why {
            recoveryProblems.append("spool cursor \(saved.segment):\(saved.offset):\(saved.message) \(why) (damage, or a host crash); delivery resumes at \(resumed)")
        }
        return resumed
    }

    /// Where the next record will be appended.
    var end: SpoolPosition {
        let last = segments[segments.count - 1]
        return SpoolPosition(segment: last.sequence, offset: last.size)
    }

    var oldestSegment: UInt64 { segments[0].sequence }

    /// Messages from the first undelivered one to the end.
    var undeliveredMessages: Int { messages(from: firstUndelivered, to: nil) }

    /// Bytes of the segments from the first undelivered message on, from where its
    /// record starts: what delivery still needs of this spool (delivered records the
    /// writing segment still holds do not count).
    var undeliveredBytes: Int {
        segments.reduce(0) { total, segment in
            if segment.sequence < firstUndelivered.segment { return total }
            if segment.sequence == firstUndelivered.segment { return total + max(0, segment.size - firstUndelivered.offset) }
            return total + segment.size
        }
    }

    /// Records holding a message from the first undelivered one on.
    var undeliveredRecords: Int {
        segments.reduce(0) { total, segment in
            if segment.sequence < firstUndelivered.segment { return total }
            if segment.sequence == firstUndelivered.segment {
                return total + segment.recordCount(from: firstUndelivered.offset, message: firstUndelivered.message)
            }
            return total + segment.records.count
        }
    }

    /// Messages from `start` up to `end` (exclusive; nil for the end of the spool).
    func messages(from start: SpoolPosition, to end: SpoolPosition?) -> Int {
        func count(from position: SpoolPosition) -> Int {
            segments.reduce(0) { total, segment in
                if segment.sequence < position.segment { return total }
                if segment.sequence == position.segment {
                    return total + segment.messages(from: position.offset, message: position.message)
                }
                return total + segment.messageCount
            }
        }
        return max(0, count(from: start) - (end.map(count(from:)) ?? 0))
    }

    /// Appends `batch` as one record; returns where it starts.
    func append(_ batch: MessageBatch) throws -> SpoolPosition {
        let last = segments[segments.count - 1]
        if !last.isAppendable || last.sequence <= reservedSegmentNumber {
            // Records kept in memory meanwhile sit in the reserved number: these go after.
            try startSegment(sequence: max(last.sequence, reservedSegmentNumber) + 1)
        } else if last.size >= segmentBytes {
            try startSegment(sequence: last.sequence + 1)
        }
        let segment = segments[segments.count - 1]
        let before = segment.size
        let offset = try segment.append(batch, lengths: &lengths, sync: sync == .batch)
        totalBytes += segment.size - before
        return SpoolPosition(segment: segment.sequence, offset: offset)
    }

    /// Appends to `batch` the messages from `position` on, up to about `maxBytes`
    /// (whole records, at least one) and at most `maxRecords` records. Returns the position after them and the records
    /// read as (position, messages), nil when `position` is the end. A record that
    /// cannot be read (`SpoolDamage`, or an I/O error) ends the read before it, so it
    /// is thrown only when it is the first; `batch` then is as it was.
    func read(from position: SpoolPosition, upTo limit: SpoolPosition?, into batch: inout MessageBatch, maxBytes: Int,
              maxRecords: Int = .max) throws -> (next: SpoolPosition, records: [(SpoolPosition, Int)])? {
        var position = normalized(position)
        var records: [(SpoolPosition, Int)] = []
        let startBytes = batch.bytes.count
        while position < end, limit.map({ position < $0 }) ?? true, records.count < maxRecords,
              batch.bytes.count - startBytes < maxBytes || records.isEmpty {
            guard let segment = segments.first(where: { $0.sequence == position.segment }) else { break }
            let next: Int, count: Int
            do {
                (next, count) = try segment.readRecord(at: position.offset, skipping: position.message, into: &batch, lengths: &lengths)
            } catch {
                if records.isEmpty { throw error }
                break  // hand over what was read; the next read starts at the bad record
            }
            records.append((position, count))
            position = normalized(SpoolPosition(segment: segment.sequence, offset: next))
        }
        return records.isEmpty ? nil : (position, records)
    }

    /// The position of the record after the one at `position` (which could not be read):
    /// where delivery goes on when that one record is given up.
    func positionAfterRecord(at position: SpoolPosition) -> SpoolPosition {
        let p = normalized(position)
        guard let segment = segments.first(where: { $0.sequence == p.segment }),
              let index = segment.recordIndex(at: p.offset) else { return end }
        let next = index + 1 < segment.records.count ? segment.records[index + 1].offset : segment.size
        return normalized(SpoolPosition(segment: segment.sequence, offset: next))
    }

    /// Everything before `position` is delivered: persists the cursor and deletes
    /// segments that hold nothing undelivered.
    func acknowledge(through position: SpoolPosition) throws {
        guard position > firstUndelivered else { return }
        firstUndelivered = position
        while segments.count > 1 && segments[0].sequence < position.segment {
            let done = segments.removeFirst()
            totalBytes -= done.size
            done.delete()
        }
        try saveCursor()
    }

    /// Drops the oldest segment to make room (the queue's drop-oldest policy); returns
    /// the messages it held from `undelivered` on, how many records they were in (a
    /// record counts if any of its messages is lost), and the segment's bytes. The
    /// writing segment is never dropped.
    func evictOldestSegment(undeliveredFrom undelivered: SpoolPosition) throws -> (messages: Int, records: Int, bytes: Int)? {
        guard segments.count > 1 else { return nil }
        let oldest = segments.removeFirst()
        let lost: Int, records: Int
        if undelivered.segment < oldest.sequence {
            (lost, records) = (oldest.messageCount, oldest.records.count)
        } else if undelivered.segment == oldest.sequence {
            lost = oldest.messages(from: undelivered.offset, message: undelivered.message)
            records = oldest.recordCount(from: undelivered.offset, message: undelivered.message)
        } else {
            (lost, records) = (0, 0)
        }
        totalBytes -= oldest.size
        oldest.delete()
        firstUndelivered = SpoolPosition(segment: segments[0].sequence, offset: 0)
        try saveCursor()
        return (lost, records, oldest.size)
    }

    /// Closes the current segment so the next append starts a new one (lets the
    /// oldest be evicted even when everything sits in one segment).
    func rotate() throws {
        if segments[segments.count - 1].size > 0 {
            try startSegment(sequence: segments[segments.count - 1].sequence + 1)
        }
    }

    var segmentCount: Int { segments.count }

    /// A segment number after every segment so far, that no file will ever have: the
    /// queue places records it could not append (a full disk) there, so they keep their
    /// place in the order; the next append starts a segment after it.
    func reserveSegmentNumber() -> UInt64 {
        reservedSegmentNumber = max(reservedSegmentNumber, segments[segments.count - 1].sequence) + 1
        return reservedSegmentNumber
    }

    func close() {
        for segment in segments { segment.close() }
        cursor.close()
    }

    /// A position at the end of a segment is the start of the next one; a position in a
    /// segment number that has no file (deleted, or reserved for records kept in memory)
    /// is the start of the next segment that has one, or the end.
    private func normalized(_ position: SpoolPosition) -> SpoolPosition {
        var p = position
        if !segments.contains(where: { $0.sequence == p.segment }) {
            guard let next = segments.first(where: { $0.sequence > p.segment }) else { return end }
            p = SpoolPosition(segment: next.sequence, offset: 0)
        }
        while let index = segments.firstIndex(where: { $0.sequence == p.segment }),
              p.offset >= segments[index].size, index + 1 < segments.count {
            p = SpoolPosition(segment: segments[index + 1].sequence, offset: 0)
        }
        return p
    }

    private func startSegment(sequence: UInt64) throws {
        segments.append(try SpoolSegment.create(in: directory, sequence: sequence))
    }

    private func saveCursor() throws {
        var words = (UInt64(firstUndelivered.segment).littleEndian, UInt64(firstUndelivered.offset).littleEndian,
                     UInt64(firstUndelivered.message).littleEndian)
        try withUnsafeBytes(of: &words) { try cursorFile.write($0, at: 0) }
    }
}
