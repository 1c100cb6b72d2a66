import LogshipDestinations
import LogshipSystem

/// Names one container's lane of a destination's queue for the stream writing to it:
/// a number, so enqueueing hashes nothing, and the lane's counters for the metrics.
public struct LaneHandle: Sendable {
    let number: Int32
    public let counters: LaneCounters
}

/// The queue between the stream readers of a destination and its sender.
///
/// `enqueue` never waits on the network: "the reader never waits on the network"
/// rests on this. With a spool, every batch is appended to disk first (so a killed
/// plugin loses nothing it took from a FIFO) and also kept in memory up to the memory
/// budget, so a healthy destination is served from memory and its segments are
/// deleted before the kernel ever writes them out. Past the memory budget the oldest
/// in-memory copies are let go (they stay on disk); when the spool is full the
/// overflow policy decides. When the disk refuses a batch, it is kept in memory only,
/// within the same budget, and what does not fit is dropped and counted.
///
/// **Fair sharing.** Each container has a lane of its own (`QueueLane`): its own spool
/// segments (a directory per container) and its own in-memory chunks. The order in
/// which records arrived across lanes is kept as runs of lane numbers (`LaneRuns`), so
/// the sender still delivers the destination's records in the order they were read.
/// When the queue is full, the lane holding the most (undelivered bytes on disk, or
/// bytes in memory for a memory-only queue) gives up its oldest segment or chunk:
/// deleting a file or letting a chunk go, with no copying and no scan of records.
/// Since the heaviest holds at least the average, a container that stays within its
/// fair share (capacity / containers) never loses a line while another holds more.
/// Its dropped records' places in the order are skipped by count (`QueueLane.skip`).
///
/// The sender takes batches with `dequeue` and confirms delivered messages with
/// `acknowledge`; only acknowledged messages leave the spool, so what a crashed
/// plugin had in flight is sent again after the restart (at least once). Drops are
/// told in each container's own stream by a notice the sender writes (`DropNotice`).
public final class DeliveryQueue: @unchecked Sendable {
    public let memoryBudget: Int
    public let overflow: OverflowPolicy

    private let lock = ConditionLock()
    private let spoolConfiguration: SpoolConfiguration?
    private let budget: SpoolBudget?
    private let spoolRetryNanoseconds: Int64
    private let onSpoolProblem: @Sendable (String) -> Void
    /// At most one drop notice per lane this often (`DropNotice.intervalNanoseconds`).
    private let noticeInterval: Int64
    private var lanes = LaneTable()
    /// Every record not yet handed to the sender, by lane, in arrival order.
    private var order = LaneRuns()
    /// Every message handed to the sender and not yet acknowledged, by lane, in order.
    private var inFlightOrder = LaneRuns()
    /// Lanes with drops not yet told, in the order their first drop happened (so in
    /// the order their notices fall due).
    private var noticesDue = RingBuffer<Int32>()
    private var stats = QueueStats()
    private var wakeRequested = false
    /// False once the plugin stops: see `stopAccepting`.
    private var accepting = true
    /// Whether the spool directory was searched for lanes an earlier run left, and when
    /// to try again if it could not be.
    private var discovered = false
    private var discoverAt: Int64 = 0
    private var discoveryProblem = false

    /// - Parameters:
    ///   - spool: nil for a memory-only queue. A spool that cannot be opened now is
    ///     opened later; meanwhile messages are kept in memory.
    ///   - budget: the plugin-wide limit on all spools together.
    ///   - spoolRetryNanoseconds: after the disk refused a batch, how long appends go
    ///     straight to memory before the next attempt.
    ///   - noticeIntervalNanoseconds: how long a lane's drops are gathered before one
    ///     notice tells them.
    public init(memoryBudget: Int, spool: SpoolConfiguration?, overflow: OverflowPolicy = .dropOldest,
                budget: SpoolBudget? = nil, spoolRetryNanoseconds: Int64 = 1_000_000_000,
                noticeIntervalNanoseconds: Int64 = DropNotice.intervalNanoseconds,
                onSpoolProblem: @escaping @Sendable (String) -> Void = { _ in }) {
        precondition(memoryBudget > 0)
        self.memoryBudget = memoryBudget
        self.overflow = overflow
        self.spoolConfiguration = spool
        self.budget = budget
        self.spoolRetryNanoseconds = spoolRetryNanoseconds
        self.noticeInterval = noticeIntervalNanoseconds
        self.onSpoolProblem = onSpoolProblem
        lock.withLock { discoverLanesIfDue() }
    }

    public var currentStats: QueueStats { lock.withLock { stats } }

    /// Nothing is waiting to be delivered, in memory, on disk or in the sender's hands.
    public var isEmpty: Bool { lock.withLock { stats.pendingMessages == 0 } }

    public var isSpooled: Bool { spoolConfiguration != nil }

    /// Nothing waiting, no drop left untold, and nothing unknown: a spool that could not
    /// be opened yet may hold an earlier run's messages, so its destination must not retire.
    public var isDone: Bool {
        lock.withLock {
            stats.pendingMessages == 0 && noticesDue.isEmpty && lanes.awaitingSpool.isEmpty
                && (spoolConfiguration == nil || discovered)
        }
    }

    // MARK: Lanes

    /// The lane of container `key`, made (or found, after a restart) if needed; the
    /// caller writes to it until `closeLane`. `notices` formats its drop notices,
    /// `rateLimit` (`rate-limit=N`) is quoted in them.
    public func openLane(container key: String, notices: DropNoticeWriter?, rateLimit: String?) -> LaneHandle {
        lock.withLock {
            discoverLanesIfDue()
            let number = laneNumber(for: key)
            let lane = lanes[number]!
            lanes.register(lane)
            if let notices { lane.notices = notices }
            lane.rateLimit = rateLimit
            lock.broadcast()  // a blocked producer's share changed
            return LaneHandle(number: number, counters: lane.counters)
        }
    }

    /// A stream of container `key` stopped writing; its lane is removed once everything
    /// in it is delivered (or dropped) and told.
    public func closeLane(container key: String) {
        lock.withLock {
            guard let number = lanes.number(of: key), let lane = lanes[number] else { return }
            lanes.unregister(lane)
            removeIfIdle(number)
            lock.broadcast()
        }
    }

    /// The counters of container `key`'s lane, if it has one.
    public func counters(container key: String) -> LaneCounters? {
        lock.withLock { lanes.number(of: key).flatMap { lanes[$0]?.counters } }
    }

    // MARK: Producers

    /// Takes `batch`'s messages into `lane` (nil: the lane of messages that name no
    /// container) and empties it for reuse, unless the queue no longer accepts any (the
    /// plugin is stopping): then the batch is left as it is, and the reader must leave
    /// the bytes it came from in the FIFO. `rateLimited` messages of the lane were
    /// dropped by its rate limit since the last call: counted, and told in a notice.
    @discardableResult
    public func enqueue(_ batch: inout MessageBatch, lane handle: LaneHandle? = nil, rateLimited: Int = 0) -> EnqueueResult {
        guard !batch.isEmpty || rateLimited > 0 else { return .accepted(dropped: 0) }
        let result = lock.withLock { () -> EnqueueResult in
            guard accepting else { return .refused }
            let number = handle?.number ?? laneNumber(for: "")
            guard let lane = lanes[number] else { return .refused }
            var dropped = 0
            if !batch.isEmpty {
                let record: QueuedRecord
                if overflow == .block {
                    guard let blocked = appendWaiting(batch, to: lane) else { return .refused }
                    record = blocked
                } else {
                    dropped += makeSpoolRoom(for: batch.bytes.count, incoming: lane)
                    record = lane.disk.append(batch, report: onSpoolProblem)
                }
                // A spool that could only be opened now may hold an earlier run's messages.
                absorbRecovered(lane, number)
                dropped += makeMemoryRoom(for: batch.bytes.count, incoming: lane)
                lane.memory.store(batch, as: record)
                order.append(lane: number, count: 1)
                lane.unread += 1
                syncBytes(lane)
                lane.counters.received.add(batch.count, ordering: .relaxed)
                stats.enqueuedMessages += batch.count
                stats.pendingMessages += batch.count
                if record.onDisk { stats.spooledMessages += batch.count } else if lane.disk.isConfigured { stats.unspooledMessages += batch.count }
            }
            if rateLimited > 0 {
                lane.counters.received.add(rateLimited, ordering: .relaxed)
                noteDrops(lane, number, rateLimited: rateLimited)
            }
            lock.signal()
            return .accepted(dropped: dropped)
        }
        if case .accepted = result { batch.removeAll() }
        return result
    }

    /// QUEUE_OVERFLOW=block: waits while the queue is full and `lane` holds its fair
    /// share or more (a container within its share is never held up by another's
    /// flood; the queue then grows past its capacity by at most the shares of the
    /// containers below theirs), and, with a spool, for a disk that takes the batch:
    /// nothing is ever kept in memory only. Nil when the queue stops accepting meanwhile.
    private func appendWaiting(_ batch: MessageBatch, to lane: QueueLane) -> QueuedRecord? {
        let bytes = batch.bytes.count
        while true {
            guard accepting else { return nil }
            if isFull(adding: bytes) && weight(of: lane) + bytes > fairShare {
                lock.wait()
                continue
            }
            let record = lane.disk.append(batch, report: onSpoolProblem)
            if record.onDisk || !lane.disk.isConfigured { return record }
            // Not kept: a memory-only record would be lost in a crash.
            _ = lock.wait(until: MonotonicClock.now() + max(lane.disk.retryNanoseconds, 10_000_000))
        }
    }

    /// From now on `enqueue` refuses, and producers waiting for room (QUEUE_OVERFLOW=block)
    /// are released with a refusal. The sender carries on with what is queued.
    public func stopAccepting() {
        lock.withLock {
            accepting = false
            lock.broadcast()
        }
    }

    // MARK: The sender

    /// Waits until messages (or a drop notice) are ready, or `deadline` (a monotonic
    /// time) passes, or `wake()` is called, and appends them to `batch`, which the
    /// caller has emptied. Returns false when nothing was taken.
    public func dequeue(into batch: inout MessageBatch, deadline: Int64) -> Bool {
        lock.withLock {
            openSpoolsIfDue()
            while order.isEmpty && !wakeRequested && !noticeIsDue(MonotonicClock.now()) {
                let noticeAt = nextNoticeDue
                if !lock.wait(until: min(deadline, noticeAt ?? deadline)) && MonotonicClock.now() >= deadline { break }
            }
            wakeRequested = false
            appendDueNotices(into: &batch)
            // Records in arrival order, lane after lane, up to a chunk's worth.
            while let run = order.first, batch.isEmpty || batch.bytes.count < QueueMemory.chunkBytes {
                guard let lane = lanes[run.lane] else {
                    order.removeFirst(run.count)  // cannot happen: a lane with unread records stays
                    continue
                }
                if lane.skip > 0 {
                    let skipped = min(lane.skip, run.count)
                    lane.skip -= skipped
                    lane.unread -= skipped
                    order.removeFirst(skipped)
                    continue
                }
                // Nothing readable although the order says so would be a bookkeeping
                // error: the run is dropped rather than spun on.
                let taken = max(1, take(from: lane, run.lane, records: run.count, into: &batch))
                let consumed = min(taken, run.count)
                lane.unread -= consumed
                order.removeFirst(consumed)
            }
            return !batch.isEmpty
        }
    }

    /// The first `count` messages handed out are delivered.
    public func acknowledge(messages count: Int) {
        guard count > 0 else { return }
        lock.withLock {
            var remaining = count
            while remaining > 0, let run = inFlightOrder.first {
                let messages = min(remaining, run.count)
                if let lane = lanes[run.lane], run.lane != LaneRuns.noLane {
                    let through = lane.inFlight.acknowledge(messages, next: lane.readPosition)
                    if let through, let spool = lane.disk.spool {
                        do {
                            try spool.acknowledge(through: through)
                            startFreshSegmentIfDrained(lane)
                            lane.disk.syncBudget()
                            syncBytes(lane)
                        } catch {
                            onSpoolProblem("cannot record delivery progress: \(error)")
                        }
                    }
                    lane.counters.sent.add(messages, ordering: .relaxed)
                    stats.pendingMessages = max(0, stats.pendingMessages - messages)
                    inFlightOrder.removeFirst(messages)
                    removeIfIdle(run.lane)
                } else {
                    inFlightOrder.removeFirst(messages)  // drop notices: logship's, not pending
                }
                remaining -= messages
            }
            lock.broadcast()  // a blocked producer may now fit
        }
    }

    /// Closes the spool's files (the plugin is stopping; the spool stays for the next
    /// run). The queue accepts nothing after this and never touches those files again.
    public func close() {
        lock.withLock {
            accepting = false
            for lane in lanes.lanes { lane?.disk.close() }
            lock.broadcast()
        }
    }

    /// Deletes the spool of a destination that has delivered everything and is no
    /// longer used, so spool directories do not pile up.
    public func removeSpool() {
        lock.withLock {
            accepting = false
            guard let configuration = spoolConfiguration, discovered else {
                for lane in lanes.lanes { lane?.disk.close() }
                return
            }
            // Containers' lanes first: their directories are inside the destination's.
            for lane in lanes.lanes where lane?.key.isEmpty == false { lane?.disk.remove() }
            if let number = lanes.number(of: ""), let lane = lanes[number] {
                lane.disk.remove()
            } else {
                for name in (try? FileSystem.listDirectory(configuration.directory)) ?? [] {
                    FileSystem.remove(configuration.directory + "/" + name)
                }
                FileSystem.removeDirectory(configuration.directory)
            }
            lock.broadcast()
        }
    }

    /// Interrupts a waiting `dequeue` (the destination's state changed).
    public func wake() {
        lock.withLock {
            wakeRequested = true
            lock.broadcast()
        }
    }

    // MARK: Internals (lock held)

    /// The number of the lane for `key`, made if there is none: its spool (a directory
    /// of its own, or the destination's for "") is opened, and what an earlier run left
    /// there queued first.
    private func laneNumber(for key: String) -> Int32 {
        if let number = lanes.number(of: key) { return number }
        let configuration = spoolConfiguration.map {
            SpoolConfiguration(directory: LaneDirectory.path(root: $0.directory, key: key), maxBytes: $0.maxBytes,
                               segmentBytes: $0.segmentBytes, sync: $0.sync)
        }
        let disk = QueueSpool(configuration: configuration, budget: budget, retryNanoseconds: spoolRetryNanoseconds, report: onSpoolProblem)
        let lane = QueueLane(key: key, disk: disk, counters: LaneCounters())
        let number = lanes.insert(lane)
        absorbRecovered(lane, number)
        if disk.isConfigured && disk.spool == nil { lanes.awaitingSpool.append(number) }
        syncBytes(lane)
        return number
    }

    /// Searches the destination's spool directory (once it can be made) for the lanes an
    /// earlier run left: the containers' directories, and segments of the lane that
    /// names no container (also what versions before lanes wrote).
    private func discoverLanesIfDue() {
        guard let configuration = spoolConfiguration, !discovered else { return }
        let now = MonotonicClock.now()
        guard now >= discoverAt else { return }
        do {
            try FileSystem.makeDirectory(configuration.directory)
            if let record = configuration.destinationRecord {
                let path = configuration.directory + "/destination"
                if (try? FileSystem.read(path)) != Array(record.utf8) { try FileSystem.writeAtomically(path, Array(record.utf8)) }
            }
            let names = try FileSystem.listDirectory(configuration.directory).sorted()
            discovered = true
            if discoveryProblem { onSpoolProblem("spool directory \(configuration.directory) is usable again") }
            if names.contains(where: { SpoolSegment.sequence(ofFileName: $0) != nil }) { _ = laneNumber(for: "") }
            for name in names { if let key = LaneDirectory.key(ofName: name) { _ = laneNumber(for: key) } }
        } catch {
            discoverAt = now + spoolRetryNanoseconds
            if !discoveryProblem {
                onSpoolProblem("cannot open the spool directory \(configuration.directory) (\(error)): messages are kept in memory only (up to QUEUE_SIZE) until it can be")
            }
            discoveryProblem = true
        }
    }

    /// Spools that could not be opened are tried again from the sender's side too, so
    /// an earlier run's messages are found without a producer.
    private func openSpoolsIfDue() {
        discoverLanesIfDue()
        guard !lanes.awaitingSpool.isEmpty else { return }
        // Taken out first: opening reads the lane table, which must not be in the middle
        // of a modification then.
        let waiting = lanes.awaitingSpool
        lanes.awaitingSpool = waiting.filter { number in
            guard let lane = lanes[number] else { return false }
            guard lane.disk.openIfDue(report: onSpoolProblem) else { return true }
            absorbRecovered(lane, number)
            syncBytes(lane)
            return false
        }
    }

    /// Queues what a lane's newly opened spool holds from an earlier run, before what
    /// the lane takes from now on.
    private func absorbRecovered(_ lane: QueueLane, _ number: Int32) {
        let recovered = lane.disk.takeRecovered()
        guard recovered.records > 0 else { return }
        // Memory may hold this run's memory-only records (taken in while the spool could
        // not be opened): they come before the recovered ones, the next records after.
        lane.memory.startNewChunk()
        stats.pendingMessages += recovered.messages
        order.append(lane: number, count: recovered.records)
        lane.unread += recovered.records
        if let spool = lane.disk.spool, lane.memory.isEmpty, lane.readPosition < spool.firstUndelivered {
            lane.readPosition = spool.firstUndelivered
        }
    }

    private func removeIfIdle(_ number: Int32) {
        guard let lane = lanes[number], lane.isIdle, !lane.key.isEmpty else { return }
        lane.disk.remove()
        syncBytes(lane)
        lanes.remove(number)
    }

    /// Delivered records a lane's writing segment may hold before a lane that has
    /// delivered everything starts a fresh one (a create and an unlink per this much).
    static let drainedSegmentBytes = 1 << 20

    /// A lane whose every record is delivered starts a fresh segment once its writing
    /// segment holds `atLeast` bytes of delivered records, so that each of many lanes
    /// keeps little dead data on disk (a destination with one spool kept one writing
    /// segment; with a lane per container, each keeps one).
    private func startFreshSegmentIfDrained(_ lane: QueueLane, atLeast minimum: Int = DeliveryQueue.drainedSegmentBytes) {
        guard let spool = lane.disk.spool, lane.unread == 0, lane.inFlight.isEmpty, lane.memory.isEmpty,
              spool.firstUndelivered >= spool.end, spool.totalBytes >= max(1, minimum) else { return }
        do {
            try spool.rotate()
            try spool.acknowledge(through: spool.end)
        } catch {
            onSpoolProblem("cannot start a fresh spool segment: \(error)")
        }
    }

    /// Adds the lane's change in bytes to the queue's totals (no sum over lanes).
    private func syncBytes(_ lane: QueueLane) {
        let spoolBytes = lane.disk.totalBytes
        stats.spoolBytes += spoolBytes - lane.countedSpoolBytes
        lane.countedSpoolBytes = spoolBytes
        stats.memoryBytes += lane.memory.bytes - lane.countedMemoryBytes
        lane.countedMemoryBytes = lane.memory.bytes
    }

    /// What a lane holds of the queue's capacity: undelivered bytes on disk with a
    /// spool, bytes in memory without one.
    private func weight(of lane: QueueLane) -> Int {
        if spoolConfiguration != nil { return lane.disk.spool?.undeliveredBytes ?? lane.memory.bytes }
        return lane.memory.bytes
    }

    private var capacity: Int { spoolConfiguration?.maxBytes ?? memoryBudget }

    /// Capacity / the containers writing to the destination.
    private var fairShare: Int { capacity / max(1, lanes.registered) }

    private func isFull(adding bytes: Int) -> Bool {
        if spoolConfiguration != nil { return stats.spoolBytes + bytes > capacity && stats.spoolBytes > 0 }
        return stats.memoryBytes + bytes > memoryBudget && stats.memoryBytes > 0
    }

    /// Drop-oldest on the spool: the lane holding the most gives up its oldest segment
    /// (never one it needs to keep: records in the sender's hands are its to deliver)
    /// until `bytes` more fit in SPOOL_SIZE. When all spools together are at
    /// SPOOL_TOTAL_SIZE, lanes give up older segments (never the ones they write): what
    /// still does not fit is kept in memory only.
    private func makeSpoolRoom(for bytes: Int, incoming: QueueLane) -> Int {
        guard let configuration = spoolConfiguration else { return 0 }
        var dropped = 0
        if stats.spoolBytes + bytes > configuration.maxBytes || (budget?.wouldExceed(adding: bytes) ?? false) {
            // Delivered records that lanes' writing segments still hold go first: no loss.
            for lane in lanes.lanes {
                guard let lane else { continue }
                startFreshSegmentIfDrained(lane, atLeast: 1)
                lane.disk.syncBudget()
                syncBytes(lane)
            }
        }
        while true {
            let overMax = stats.spoolBytes + bytes > configuration.maxBytes
            guard overMax || (budget?.wouldExceed(adding: bytes) ?? false) else { break }
            guard let (number, lane) = lanes.heaviest(incoming: incoming, adding: bytes, weight: weight(of:), canLose: { lane in
                guard let spool = lane.disk.spool else { return false }
                return overMax ? spool.totalBytes > 0 : spool.segmentCount > 1
            }), let spool = lane.disk.spool else { break }
            if spool.segmentCount == 1 { try? spool.rotate() }
            guard let evicted = try? spool.evictOldestSegment(undeliveredFrom: max(lane.readPosition, spool.firstUndelivered)) else { break }
            var lost = evicted.messages, lostBytes = evicted.bytes, records = evicted.records
            // Whatever of the evicted segment was still in memory goes with it; records
            // there that were never on disk are lost with it too.
            lane.memory.dropChunks(startingBefore: spool.oldestSegment) { record in
                if !record.onDisk {
                    lost += record.messages
                    lostBytes += record.bytes
                    records += 1
                }
            }
            lane.skip += records
            if lane.readPosition < spool.firstUndelivered { lane.readPosition = spool.firstUndelivered }
            lane.disk.syncBudget()
            syncBytes(lane)
            dropped += lose(lane, number, messages: lost, bytes: lostBytes)
        }
        return dropped
    }

    /// Keeps memory within the budget: the lane holding the most memory lets its oldest
    /// chunk go. Its records that are on disk are read back from there later (no loss);
    /// those that exist only in memory are dropped and counted. QUEUE_OVERFLOW=block
    /// never drops: its producers waited for room already.
    private func makeMemoryRoom(for bytes: Int, incoming: QueueLane) -> Int {
        var dropped = 0
        while stats.memoryBytes + bytes > memoryBudget {
            guard let (number, lane) = lanes.heaviest(incoming: incoming, adding: bytes, weight: { $0.memory.bytes },
                                                      canLose: { !$0.memory.isEmpty }) else { break }
            if overflow == .block && lane.memory.firstChunkHoldsTheOnlyCopy { break }
            var lost = 0, lostBytes = 0
            lane.memory.dropFirst { record in
                if !record.onDisk {
                    lost += record.messages
                    lostBytes += record.bytes
                    lane.skip += 1
                }
            }
            // A lane without a spool reads from memory only: skip past what was let go.
            if lane.disk.spool == nil, let next = lane.memory.firstPosition, lane.readPosition < next { lane.readPosition = next }
            syncBytes(lane)
            dropped += lose(lane, number, messages: lost, bytes: lostBytes)
        }
        return dropped
    }

    /// Counts messages of `lane` dropped because the queue was full.
    private func lose(_ lane: QueueLane, _ number: Int32, messages: Int, bytes: Int) -> Int {
        guard messages > 0 else { return 0 }
        stats.droppedMessages += messages
        stats.droppedBytes += bytes
        stats.pendingMessages = max(0, stats.pendingMessages - messages)
        noteDrops(lane, number, overflow: messages)
        return messages
    }

    /// Hands the sender up to `records` of `lane`'s records (at least one when it has
    /// any): from disk while its next record is no longer in memory, else from memory.
    /// Returns how many records it took (or skipped as unreadable).
    private func take(from lane: QueueLane, _ number: Int32, records: Int, into batch: inout MessageBatch) -> Int {
        if lane.nextIsOnDiskOnly {
            let read = readSpool(lane, number, maxRecords: records, into: &batch)
            if read > 0 { return read }
        }
        guard let first = lane.memory.firstChunk else { return 0 }
        var messages = 0
        var last: QueuedRecord?
        let taken: Int
        if batch.isEmpty && first.whole && records >= first.records {
            lane.memory.takeFirstChunk(into: &batch) { record in
                lane.inFlight.append(record)
                messages += record.messages
                last = record
            }
            taken = first.records
        } else {
            taken = lane.memory.take(records, into: &batch) { record in
                lane.inFlight.append(record)
                messages += record.messages
                last = record
            }
        }
        inFlightOrder.append(lane: number, count: messages)
        if let last { lane.readPosition = nextPosition(in: lane, after: last) }
        syncBytes(lane)
        return taken
    }

    /// Where the lane reads next after handing out `last` from memory. After a spooled
    /// record, memory holds what follows. After one kept in memory only, records on
    /// disk may come next that memory never had: those of an earlier run, found when a
    /// spool that could not be opened at first (a restart out of descriptors) opened
    /// later, behind this run's memory-only records. So the lane goes on from the
    /// position after it (at the spool's first undelivered one at the least) and reads
    /// the disk up to memory's next record; the spool skips segment numbers it has no
    /// file for.
    private func nextPosition(in lane: QueueLane, after last: QueuedRecord) -> SpoolPosition {
        guard !last.onDisk, let spool = lane.disk.spool else { return lane.memory.firstPosition ?? lane.position(after: last) }
        let after = max(lane.position(after: last), spool.firstUndelivered)
        return min(after, lane.memory.firstPosition ?? spool.end)
    }

    /// Reads from the lane's spool what is no longer in memory, up to the first record
    /// that is. Returns the records read (1 for one that could not be read and was
    /// skipped), 0 when none is on disk only.
    private func readSpool(_ lane: QueueLane, _ number: Int32, maxRecords: Int, into batch: inout MessageBatch) -> Int {
        guard let spool = lane.disk.spool else { return 0 }
        // Nothing before the first undelivered record is read again: a lane that went on
        // from a memory-only record (taken before its spool could be opened) stands
        // before an earlier run's delivered records.
        if lane.readPosition < spool.firstUndelivered { lane.readPosition = spool.firstUndelivered }
        let limit = lane.memory.firstPosition
        do {
            let room = max(1, QueueMemory.chunkBytes - batch.bytes.count)
            if let (next, records) = try spool.read(from: lane.readPosition, upTo: limit, into: &batch, maxBytes: room, maxRecords: maxRecords) {
                var messages = 0
                for (position, count) in records {
                    lane.inFlight.append(QueuedRecord(position: position, messages: count, bytes: 0, onDisk: true))
                    messages += count
                }
                inFlightOrder.append(lane: number, count: messages)
                lane.readPosition = next
                return records.count
            }
            lane.readPosition = limit ?? spool.end
            return 0
        } catch {
            // The record that cannot be read is skipped, and counted as dropped:
            // otherwise the destination would wait for it forever and never report it.
            let skipTo = min(spool.positionAfterRecord(at: lane.readPosition), limit ?? spool.end)
            let lost = spool.messages(from: lane.readPosition, to: skipTo)
            onSpoolProblem("spool read failed at \(lane.readPosition): \(error); skipping \(lost) messages")
            stats.droppedMessages += lost
            stats.pendingMessages = max(0, stats.pendingMessages - lost)
            lane.readPosition = skipTo
            return 1
        }
    }

    // MARK: Drop notices

    /// Counts drops of `lane`, and opens its notice window at the first one.
    private func noteDrops(_ lane: QueueLane, _ number: Int32, overflow: Int = 0, rateLimited: Int = 0) {
        let now = MonotonicClock.now()
        lane.counters.countDrops(overflow: overflow, rateLimit: rateLimited, at: now)
        if lane.tally == nil {
            lane.tally = DropTally(since: now)
            noticesDue.append(number)
        }
        lane.tally!.overflow += overflow
        lane.tally!.rateLimited += rateLimited
    }

    private var nextNoticeDue: Int64? {
        noticesDue.first.flatMap { lanes[$0]?.tally.map { $0.since + noticeInterval } }
    }

    private func noticeIsDue(_ now: Int64) -> Bool { nextNoticeDue.map { $0 <= now } ?? false }

    /// Writes the notices whose window (10 s from a lane's first untold drop) has
    /// passed, each with the exact count of its window. A lane whose container has
    /// not started since the plugin did has no formatter: its drops stay in the
    /// metrics and the plugin log only.
    private func appendDueNotices(into batch: inout MessageBatch) {
        let now = MonotonicClock.now()
        while let number = noticesDue.first {
            guard let lane = lanes[number], let tally = lane.tally else {
                noticesDue.popFirst()
                continue
            }
            guard tally.since + noticeInterval <= now else { break }
            noticesDue.popFirst()
            lane.tally = nil
            if let writer = lane.notices {
                let seconds = max(1, Int((now - tally.since + 500_000_000) / 1_000_000_000))
                let text = DropNotice.text(tally, seconds: seconds, overflowCause: spoolConfiguration == nil ? "queue" : "spool",
                                           rateLimit: lane.rateLimit)
                writer.append(notice: text, to: &batch)
                inFlightOrder.append(lane: LaneRuns.noLane, count: 1)
            }
            removeIfIdle(number)
        }
    }
}
