import LogshipDestinations
import LogshipSystem

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
/// The sender takes batches with `dequeue` and confirms delivered messages with
/// `acknowledge`; only acknowledged messages leave the spool, so what a crashed
/// plugin had in flight is sent again after the restart (at least once).
public final class DeliveryQueue: @unchecked Sendable {
    public let memoryBudget: Int
    public let overflow: OverflowPolicy

    private let lock = ConditionLock()
    private var disk: QueueSpool
    private var memory = QueueMemory()
    private let onSpoolProblem: @Sendable (String) -> Void
    private var stats = QueueStats()
    /// The next record to hand to the sender.
    private var readPosition: SpoolPosition
    private var inFlight = InFlightRecords()
    private var wakeRequested = false
    /// False once the plugin stops: see `stopAccepting`.
    private var accepting = true

    /// - Parameters:
    ///   - spool: nil for a memory-only queue. A spool that cannot be opened now is
    ///     opened later; meanwhile messages are kept in memory.
    ///   - budget: the plugin-wide limit on all spools together.
    ///   - spoolRetryNanoseconds: after the disk refused a batch, how long appends go
    ///     straight to memory before the next attempt.
    public init(memoryBudget: Int, spool: SpoolConfiguration?, overflow: OverflowPolicy = .dropOldest,
                budget: SpoolBudget? = nil, spoolRetryNanoseconds: Int64 = 1_000_000_000,
                onSpoolProblem: @escaping @Sendable (String) -> Void = { _ in }) {
        precondition(memoryBudget > 0)
        self.memoryBudget = memoryBudget
        self.overflow = overflow
        self.onSpoolProblem = onSpoolProblem
        disk = QueueSpool(configuration: spool, budget: budget, retryNanoseconds: spoolRetryNanoseconds, report: onSpoolProblem)
        if let opened = disk.spool {
            readPosition = opened.firstUndelivered
            stats.pendingMessages = disk.takeRecoveredMessages()
            stats.spoolBytes = opened.totalBytes
        } else {
            readPosition = SpoolPosition(segment: 0, offset: 0)
        }
    }

    public var currentStats: QueueStats { lock.withLock { stats } }

    /// Nothing is waiting to be delivered, in memory, on disk or in the sender's hands.
    public var isEmpty: Bool { lock.withLock { stats.pendingMessages == 0 } }

    public var isSpooled: Bool { lock.withLock { disk.isConfigured } }

    /// Nothing waiting, and nothing unknown: a spool that could not be opened yet may
    /// hold an earlier run's messages, so its destination must not retire.
    public var isDone: Bool { lock.withLock { stats.pendingMessages == 0 && !(disk.isConfigured && disk.spool == nil) } }

    // MARK: Producers

    /// Takes `batch`'s messages and empties it for reuse, unless the queue no longer
    /// accepts any (the plugin is stopping): then the batch is left as it is, and the
    /// reader must leave the bytes it came from in the FIFO.
    @discardableResult
    public func enqueue(_ batch: inout MessageBatch) -> EnqueueResult {
        guard !batch.isEmpty else { return .accepted(dropped: 0) }
        let result = lock.withLock { () -> EnqueueResult in
            guard accepting else { return .refused }
            var dropped = 0
            let record: QueuedRecord
            if overflow == .block {
                guard let blocked = appendWaiting(batch) else { return .refused }
                record = blocked
            } else {
                dropped += makeSpoolRoom(for: batch.bytes.count)
                record = disk.append(batch, report: onSpoolProblem)
            }
            // A spool that could only be opened now may hold an earlier run's messages.
            stats.pendingMessages += disk.takeRecoveredMessages()
            dropped += makeMemoryRoom(for: batch.bytes.count)
            memory.store(batch, as: record)
            stats.memoryBytes = memory.bytes
            stats.spoolBytes = disk.totalBytes
            stats.enqueuedMessages += batch.count
            stats.pendingMessages += batch.count
            if record.onDisk { stats.spooledMessages += batch.count } else if disk.isConfigured { stats.unspooledMessages += batch.count }
            lock.signal()
            return .accepted(dropped: dropped)
        }
        if case .accepted = result { batch.removeAll() }
        return result
    }

    /// QUEUE_OVERFLOW=block: waits for room (and, with a spool, for a disk that takes
    /// the batch: nothing is ever kept in memory only); nil when the queue stops
    /// accepting meanwhile.
    private func appendWaiting(_ batch: MessageBatch) -> QueuedRecord? {
        while true {
            guard accepting else { return nil }
            if isFull(adding: batch.bytes.count) {
                lock.wait()
                continue
            }
            let record = disk.append(batch, report: onSpoolProblem)
            if record.onDisk || !disk.isConfigured { return record }
            // Not kept: a memory-only record would be lost in a crash.
            _ = lock.wait(until: MonotonicClock.now() + max(disk.retryNanoseconds, 10_000_000))
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

    /// Waits until messages are ready (or `deadline`, a monotonic time, passes, or
    /// `wake()` is called) and appends them to `batch`, which the caller has emptied.
    /// Returns false when nothing was taken.
    public func dequeue(into batch: inout MessageBatch, deadline: Int64) -> Bool {
        lock.withLock {
            openSpoolIfDue()
            while !hasReadable && !wakeRequested {
                if !lock.wait(until: deadline) { break }
            }
            wakeRequested = false
            // A record that cannot be read is skipped (and counted): go on with the next.
            while batch.isEmpty && hasReadable {
                if onDiskOnly {
                    readSpool(into: &batch)
                } else {
                    takeChunk(into: &batch)
                }
            }
            return !batch.isEmpty
        }
    }

    /// The first `count` messages handed out are delivered.
    public func acknowledge(messages count: Int) {
        guard count > 0 else { return }
        lock.withLock {
            let through = inFlight.acknowledge(count, next: readPosition)
            stats.pendingMessages = max(0, stats.pendingMessages - count)
            if let through, let spool = disk.spool {
                do {
                    try spool.acknowledge(through: through)
                    disk.syncBudget()
                    stats.spoolBytes = disk.totalBytes
                } catch {
                    onSpoolProblem("cannot record delivery progress: \(error)")
                }
            }
            lock.broadcast()  // a blocked producer may now fit
        }
    }

    /// Closes the spool's files (the plugin is stopping; the spool stays for the next
    /// run). The queue accepts nothing after this and never touches those files again.
    public func close() {
        lock.withLock {
            accepting = false
            disk.close()
            lock.broadcast()
        }
    }

    /// Deletes the spool of a destination that has delivered everything and is no
    /// longer used, so spool directories do not pile up.
    public func removeSpool() {
        lock.withLock {
            accepting = false
            disk.remove()
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

    /// A spool that could not be opened (EMFILE, a full disk) is tried again from the
    /// sender's side too, so an earlier run's messages are found without a producer.
    private func openSpoolIfDue() {
        guard disk.isConfigured, disk.spool == nil, disk.openIfDue(report: onSpoolProblem) else { return }
        stats.pendingMessages += disk.takeRecoveredMessages()
        stats.spoolBytes = disk.totalBytes
    }

    private var hasReadable: Bool { onDiskOnly || !memory.isEmpty }

    /// The next record to hand out is on disk and not in memory: its in-memory copy
    /// was let go, or it was written by an earlier run of the plugin.
    private var onDiskOnly: Bool {
        guard let spool = disk.spool else { return false }
        return readPosition < min(memory.firstPosition ?? spool.end, spool.end)
    }

    private func isFull(adding bytes: Int) -> Bool {
        if let spool = disk.spool {
            return spool.totalBytes + bytes > spool.maxBytes && spool.segmentCount > 1
        }
        return stats.memoryBytes + bytes > memoryBudget && !memory.isEmpty
    }

    /// Drop-oldest on the spool: evicts whole segments until `bytes` more fit in
    /// SPOOL_SIZE. When all spools together are at SPOOL_TOTAL_SIZE, this destination
    /// gives up its own older segments (never the one it writes): what still does not
    /// fit is kept in memory only.
    private func makeSpoolRoom(for bytes: Int) -> Int {
        guard let spool = disk.spool else { return 0 }
        var dropped = 0
        while spool.totalBytes + bytes > spool.maxBytes || (disk.overBudget(adding: bytes) && spool.segmentCount > 1) {
            if spool.segmentCount == 1 { try? spool.rotate() }
            // Records already in the sender's hands are its to deliver; the loss is
            // what had not been handed out.
            guard let evicted = try? spool.evictOldestSegment(undeliveredFrom: max(readPosition, spool.firstUndelivered)) else { break }
            dropped += count(lost: evicted.messages, bytes: evicted.bytes)
            // Whatever of the evicted segment was still in memory goes with it; records
            // there that were never on disk are lost with it too.
            for record in memory.dropChunks(startingBefore: spool.oldestSegment) where !record.onDisk {
                dropped += count(lost: record.messages, bytes: record.bytes)
            }
            stats.memoryBytes = memory.bytes
            if readPosition < spool.firstUndelivered { readPosition = spool.firstUndelivered }
        }
        disk.syncBudget()
        stats.spoolBytes = spool.totalBytes
        return dropped
    }

    /// Keeps memory within the budget: the oldest chunks go first. Their records that
    /// are on disk are read back from there later (no loss); those that exist only in
    /// memory are dropped and counted. QUEUE_OVERFLOW=block never drops: its producers
    /// waited for room already.
    private func makeMemoryRoom(for bytes: Int) -> Int {
        var dropped = 0
        while memory.bytes + bytes > memoryBudget, !memory.isEmpty {
            if overflow == .block && memory.firstChunkHoldsTheOnlyCopy { break }
            for record in memory.dropFirst() where !record.onDisk {
                dropped += count(lost: record.messages, bytes: record.bytes)
            }
        }
        // A memory-only queue reads from memory only: skip past what was let go.
        if disk.spool == nil, let next = memory.firstPosition, readPosition < next { readPosition = next }
        stats.memoryBytes = memory.bytes
        return dropped
    }

    private func count(lost messages: Int, bytes: Int) -> Int {
        stats.droppedMessages += messages
        stats.droppedBytes += bytes
        stats.pendingMessages = max(0, stats.pendingMessages - messages)
        return messages
    }

    private func takeChunk(into batch: inout MessageBatch) {
        let records = memory.takeFirst(into: &batch)
        stats.memoryBytes = memory.bytes
        inFlight.append(contentsOf: records)
        if let last = records.last {
            readPosition = memory.firstPosition ?? position(after: last)
        }
    }

    /// Reads from disk what is no longer in memory, up to the first record that is.
    private func readSpool(into batch: inout MessageBatch) {
        guard let spool = disk.spool else { return }
        let limit = memory.firstPosition
        do {
            if let (next, records) = try spool.read(from: readPosition, upTo: limit, into: &batch, maxBytes: QueueMemory.chunkBytes) {
                for (position, messages) in records {
                    inFlight.append(QueuedRecord(position: position, messages: messages, bytes: 0, onDisk: true))
                }
                readPosition = next
            } else if let limit {
                readPosition = limit
            } else {
                readPosition = spool.end
            }
        } catch {
            // The record that cannot be read is skipped, and counted as dropped:
            // otherwise the destination would wait for it forever and never report it.
            let skipTo = min(spool.positionAfterRecord(at: readPosition), limit ?? spool.end)
            let lost = spool.messages(from: readPosition, to: skipTo)
            onSpoolProblem("spool read failed at \(readPosition): \(error); skipping \(lost) messages")
            _ = count(lost: lost, bytes: 0)
            readPosition = skipTo
        }
    }

    /// The position right after a record the sender took from memory: for a memory-only
    /// record the next offset in its segment; for a spooled one the spool's end (memory
    /// holds the tail of the queue, so nothing after it is on disk only).
    private func position(after record: QueuedRecord) -> SpoolPosition {
        if !record.onDisk {
            return SpoolPosition(segment: record.position.segment, offset: record.position.offset + 1)
        }
        return disk.spool?.end ?? record.position
    }
}
