/// One container's part of a destination's queue: its records on disk (a spool of its
/// own) and in memory, where the sender stands in them, and its drops since the last
/// notice. The queue decides which lane loses when it is full; a lane is what makes
/// that loss land on one container's oldest records without touching anyone else's.
///
/// Touched only under the queue's lock.
final class QueueLane {
    /// The container ID ("" for messages that name no container).
    let key: String
    var disk: QueueSpool
    var memory = QueueMemory()
    /// The lane's next record to hand to the sender.
    var readPosition: SpoolPosition
    var inFlight = InFlightRecords()
    /// The lane's records in the queue's order that the sender has not reached yet,
    /// and how many of those (the oldest) were dropped meanwhile and are skipped.
    var unread = 0
    var skip = 0
    /// Streams writing to the lane now.
    var registrations = 0
    let counters: LaneCounters
    /// Formats the lane's drop notices (with the container's tag and format); nil for a
    /// lane whose container has not started since the plugin did.
    var notices: DropNoticeWriter?
    /// `rate-limit=N` as the container set it, for the notices' text.
    var rateLimit: String?
    /// Drops not yet told in a notice.
    var tally: DropTally?
    /// The lane's bytes as last added to the queue's totals.
    var countedSpoolBytes = 0
    var countedMemoryBytes = 0

    init(key: String, disk: QueueSpool, counters: LaneCounters) {
        self.key = key
        self.disk = disk
        self.counters = counters
        readPosition = disk.spool?.firstUndelivered ?? SpoolPosition(segment: 0, offset: 0)
    }

    /// Nothing of it is left anywhere and nobody writes to it: it can be removed.
    var isIdle: Bool {
        registrations == 0 && unread == 0 && inFlight.isEmpty && memory.isEmpty && tally == nil
    }

    /// The next record to hand out is on disk and not in memory: its in-memory copy
    /// was let go, or it was written by an earlier run of the plugin.
    var nextIsOnDiskOnly: Bool {
        guard let spool = disk.spool else { return false }
        return readPosition < min(memory.firstPosition ?? spool.end, spool.end)
    }

    /// The position right after a record taken from memory: for a memory-only record
    /// the next offset in its segment; for a spooled one the spool's end (memory holds
    /// the lane's tail, so nothing after it is on disk only).
    func position(after record: QueuedRecord) -> SpoolPosition {
        if !record.onDisk {
            return SpoolPosition(segment: record.position.segment, offset: record.position.offset + 1)
        }
        return disk.spool?.end ?? record.position
    }
}
