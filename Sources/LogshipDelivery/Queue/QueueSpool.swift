import LogshipDestinations
import LogshipSystem

/// Where and how big a destination's spool is.
public struct SpoolConfiguration: Sendable, Equatable {
    public var directory: String
    public var maxBytes: Int
    public var segmentBytes: Int
    public var sync: SpoolSync
    /// Written as `destination` in the directory, so the spool can be found and
    /// delivered after a restart even when no stream names it any more.
    public var destinationRecord: String?

    public init(directory: String, maxBytes: Int, segmentBytes: Int = 16 << 20, sync: SpoolSync = .none, destinationRecord: String? = nil) {
        self.directory = directory
        self.maxBytes = maxBytes
        self.segmentBytes = segmentBytes
        self.sync = sync
        self.destinationRecord = destinationRecord
    }
}

/// The disk side of a queue: opening the spool (again later, if the disk refused at
/// first), appending records while the disk takes them, and where records go in the
/// queue's order when it does not.
///
/// A record the spool cannot take (ENOSPC, EIO, all spools at SPOOL_TOTAL_SIZE) is kept
/// in memory only, at a position in a segment number reserved for it that no file will
/// ever have: ordering stays one total order of positions, the spool skips such numbers
/// when reading, and the cursor can point into them. Appends are tried again a second
/// later; once one succeeds spooling simply resumes. Nothing here gives the spool up or
/// closes its files behind the queue's back.
struct QueueSpool {
    let configuration: SpoolConfiguration?
    private(set) var spool: Spool?
    private let budget: SpoolBudget?
    /// The bytes this spool has reported to the budget.
    private var reportedBytes = 0
    /// No append (or open) is tried before this time after a failure.
    private var retryAt: Int64 = 0
    /// Why the spool is not taking records now; nil while it is.
    private(set) var problem: String?
    /// The segment number memory-only records are placed in, and the next offset in it.
    private var memorySegment: UInt64?
    private var memoryOffset = 0
    private var closed = false
    /// Messages (and the records they are in) found in a spool when it was opened, not
    /// yet added to the queue's counts.
    private var recovered = (messages: 0, records: 0)

    /// After a failure, no append or open is tried for this long.
    let retryNanoseconds: Int64

    /// - Parameter report: told about recovery problems and an open that failed.
    init(configuration: SpoolConfiguration?, budget: SpoolBudget?, retryNanoseconds: Int64, report: (String) -> Void) {
        self.configuration = configuration
        self.budget = budget
        self.retryNanoseconds = retryNanoseconds
        if configuration != nil { _ = openIfDue(report: report) }
    }

    var isConfigured: Bool { configuration != nil }

    /// What a newly opened spool held (left by an earlier run), once.
    mutating func takeRecovered() -> (messages: Int, records: Int) {
        defer { recovered = (0, 0) }
        return recovered
    }
    var totalBytes: Int { spool?.totalBytes ?? 0 }

    /// Opens the spool if it is not open yet and a retry is due; reports what happened.
    mutating func openIfDue(report: (String) -> Void, now: Int64 = MonotonicClock.now()) -> Bool {
        guard spool == nil, !closed, let configuration, now >= retryAt else { return spool != nil }
        do {
            try FileSystem.makeDirectory(configuration.directory)
            if let record = configuration.destinationRecord {
                let path = configuration.directory + "/destination"
                if (try? FileSystem.read(path)) != Array(record.utf8) { try FileSystem.writeAtomically(path, Array(record.utf8)) }
            }
            // Segments well below the cap, so that dropping the oldest frees a fraction.
            let segmentBytes = max(64 * 1024, min(configuration.segmentBytes, configuration.maxBytes / 8))
            let opened = try Spool(directory: configuration.directory, maxBytes: configuration.maxBytes,
                                   segmentBytes: segmentBytes, sync: configuration.sync)
            for found in opened.recoveryProblems { report(found) }
            recovered.messages += opened.undeliveredMessages
            recovered.records += opened.undeliveredRecords
            spool = opened
            if problem != nil { report("spool in \(configuration.directory) is usable again; spooling resumes") }
            problem = nil
            memorySegment = nil
            syncBudget()
            return true
        } catch {
            retryAt = now + retryNanoseconds
            if problem == nil { report("cannot open the spool in \(configuration.directory) (\(error)): messages are kept in memory only (up to QUEUE_SIZE) until it can be") }
            problem = "\(error)"
            return false
        }
    }

    /// Appends `batch` as one record if the spool takes it; otherwise the position of a
    /// memory-only record. `report` hears when spooling stops and resumes.
    mutating func append(_ batch: MessageBatch, report: (String) -> Void) -> QueuedRecord {
        let now = MonotonicClock.now()
        if openIfDue(report: report, now: now), let spool, now >= retryAt {
            if let budget, budget.wouldExceed(adding: batch.bytes.count + 16 + 4 * batch.count) {
                noteProblem("all spools together are at SPOOL_TOTAL_SIZE (\(budget.limitBytes) bytes)", now: now, report: report)
            } else {
                do {
                    let position = try spool.append(batch)
                    syncBudget()
                    if problem != nil { report("spool takes messages again; spooling resumes") }
                    problem = nil
                    memorySegment = nil
                    return QueuedRecord(position: position, messages: batch.count, bytes: batch.bytes.count, onDisk: true)
                } catch {
                    noteProblem("spool append failed (\(error))", now: now, report: report)
                }
            }
        }
        return QueuedRecord(position: nextMemoryPosition(), messages: batch.count, bytes: batch.bytes.count, onDisk: false)
    }

    private mutating func noteProblem(_ reason: String, now: Int64, report: (String) -> Void) {
        retryAt = now + retryNanoseconds
        if problem == nil { report("\(reason): messages are kept in memory only (up to QUEUE_SIZE; what does not fit is dropped and counted) until it takes them again") }
        problem = reason
    }

    private mutating func nextMemoryPosition() -> SpoolPosition {
        if memorySegment == nil {
            // Without a spool (none configured, or not opened yet) there is no disk order
            // to fit in: segment 0, before the 1 a spool opened later starts at.
            memorySegment = spool?.reserveSegmentNumber() ?? 0
            memoryOffset = 0
        }
        defer { memoryOffset += 1 }
        return SpoolPosition(segment: memorySegment!, offset: memoryOffset)
    }

    /// Whether `bytes` more would take all spools together past SPOOL_TOTAL_SIZE.
    func overBudget(adding bytes: Int) -> Bool {
        budget?.wouldExceed(adding: bytes) ?? false
    }

    /// Reports this spool's size change to the plugin-wide budget.
    mutating func syncBudget() {
        let bytes = spool?.totalBytes ?? 0
        budget?.record(bytes - reportedBytes)
        reportedBytes = bytes
    }

    /// Closes the files for good (the queue is closing; the spool stays on disk).
    mutating func close() {
        closed = true
        spool?.close()
        spool = nil
        budget?.record(-reportedBytes)
        reportedBytes = 0
    }

    /// Deletes the spool (its destination delivered everything and is no longer used).
    /// A spool that was never opened is only closed: what it holds is unknown, and the
    /// next start recovers it.
    mutating func remove() {
        guard let configuration, spool != nil else { return close() }
        close()
        for name in (try? FileSystem.listDirectory(configuration.directory)) ?? [] {
            FileSystem.remove(configuration.directory + "/" + name)
        }
        FileSystem.removeDirectory(configuration.directory)
    }
}
