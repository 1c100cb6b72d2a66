import LogshipSystem

/// What to do when a destination's queue is full (`QUEUE_OVERFLOW`).
public enum OverflowPolicy: String, Sendable, CaseIterable {
    /// Drop the oldest messages and count them: a container never waits.
    case dropOldest = "drop-oldest"
    /// Make the stream readers wait: nothing is dropped, but a container whose
    /// destination stays down stops being able to write its logs (and stalls).
    case block
}

/// What `DeliveryQueue.enqueue` did with a batch.
public enum EnqueueResult: Equatable, Sendable {
    /// Taken; `dropped` older messages were dropped to make room for it (drop-oldest).
    case accepted(dropped: Int)
    /// Not taken: the queue is stopping or closed.
    case refused
}

/// Counters of one queue, read for logs and metrics.
public struct QueueStats: Sendable, Equatable {
    public var enqueuedMessages = 0
    public var droppedMessages = 0
    public var droppedBytes = 0
    /// Taken in and not yet delivered (in memory or on disk).
    public var pendingMessages = 0
    /// Bytes held in memory.
    public var memoryBytes = 0
    /// Bytes of the spool's segment files.
    public var spoolBytes = 0
    /// Messages written to the spool.
    public var spooledMessages = 0
}

/// The queue between the stream readers of a destination and its sender.
///
/// `enqueue` never waits on the network: "the reader never waits on the network"
/// rests on this. With a spool, every batch is appended to disk first (so a killed
/// plugin loses nothing it took from a FIFO) and also kept in memory up to the memory
/// budget, so a healthy destination is served from memory and its segments are
/// deleted before the kernel ever writes them out. When the memory budget is
/// exceeded the oldest in-memory copies are let go (they stay on disk); when the
/// spool is full (or there is none and memory is full), the overflow policy decides.
///
/// The sender takes batches with `dequeue` and confirms delivered messages with
/// `acknowledge`; only acknowledged messages leave the spool, so what a crashed
/// plugin had in flight is sent again after the restart (at least once).
public final class DeliveryQueue: @unchecked Sendable {
    public let memoryBudget: Int
    public let overflow: OverflowPolicy

    /// Messages packed together in memory, with the records they came from.
    private struct Chunk {
        var batch: MessageBatch
        var records: [(position: SpoolPosition, messages: Int)]
    }

    private let lock = ConditionLock()
    private var spool: Spool?
    private let onSpoolFailure: @Sendable (String) -> Void
    private var chunks: [Chunk] = []
    /// Emptied chunks kept for reuse, so the steady state allocates nothing.
    private var spare: [Chunk] = []
    private var stats = QueueStats()
    /// The next record to hand to the sender.
    private var readPosition: SpoolPosition
    /// Records handed to the sender and not yet acknowledged, in order.
    private var handedOut: [(position: SpoolPosition, messages: Int)] = []
    /// Positions of records that exist only in memory sort after every spool position.
    private static let memoryOnlySegment = UInt64.max
    private var nextMemoryOnlyOffset = 0
    private var wakeRequested = false
    /// False once the plugin stops: see `stopAccepting`.
    private var accepting = true

    /// Batches up to this size are packed into one chunk; the sender writes a chunk
    /// with one `send`.
    static let chunkBytes = 256 * 1024

    /// - Parameter spool: nil for a memory-only queue.
    public init(memoryBudget: Int, spool: SpoolConfiguration?, overflow: OverflowPolicy = .dropOldest,
                onSpoolFailure: @escaping @Sendable (String) -> Void = { _ in }) throws {
        precondition(memoryBudget > 0)
        self.memoryBudget = memoryBudget
        self.overflow = overflow
        self.onSpoolFailure = onSpoolFailure
        if let spool {
            // Segments well below the cap, so that dropping the oldest frees a fraction.
            let segmentBytes = max(64 * 1024, min(spool.segmentBytes, spool.maxBytes / 8))
            let opened = try Spool(directory: spool.directory, maxBytes: spool.maxBytes, segmentBytes: segmentBytes, sync: spool.sync)
            self.spool = opened
            readPosition = opened.acknowledged
            stats.pendingMessages = opened.undeliveredMessages
            stats.spoolBytes = opened.totalBytes
            for problem in opened.recoveryProblems { onSpoolFailure(problem) }
        } else {
            readPosition = SpoolPosition(segment: Self.memoryOnlySegment, offset: 0)
        }
    }

    public var currentStats: QueueStats { lock.withLock { stats } }

    /// Nothing is waiting to be delivered, in memory, on disk or in the sender's hands.
    public var isEmpty: Bool { lock.withLock { stats.pendingMessages == 0 } }

    public var isSpooled: Bool { lock.withLock { spool != nil } }

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
            if overflow == .block {
                while accepting && isFull(adding: batch.bytes.count) { lock.wait() }
                guard accepting else { return .refused }
            } else {
                dropped += makeRoom(for: batch.bytes.count)
            }
            let position = append(toSpool: batch)
            if position.segment == Self.memoryOnlySegment { dropped += makeMemoryRoom(for: batch.bytes.count) }
            store(batch, at: position)
            stats.enqueuedMessages += batch.count
            stats.pendingMessages += batch.count
            if spool != nil { trimMemory() }
            lock.signal()
            return .accepted(dropped: dropped)
        }
        if case .accepted = result { batch.removeAll() }
        return result
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
            while !hasReadable && !wakeRequested {
                if !lock.wait(until: deadline) { break }
            }
            wakeRequested = false
            guard hasReadable else { return false }
            if onDiskOnly {
                readSpool(into: &batch)
            } else {
                takeChunk(into: &batch)
            }
            return !batch.isEmpty
        }
    }

    /// The first `count` messages handed out are delivered.
    public func acknowledge(messages count: Int) {
        guard count > 0 else { return }
        lock.withLock {
            var remaining = count
            var through: SpoolPosition?
            while remaining > 0, !handedOut.isEmpty {
                if remaining >= handedOut[0].messages {
                    remaining -= handedOut[0].messages
                    handedOut.removeFirst()
                    through = handedOut.first?.position ?? readPosition
                } else {
                    handedOut[0].position.message += remaining
                    handedOut[0].messages -= remaining
                    through = handedOut[0].position
                    remaining = 0
                }
            }
            stats.pendingMessages = max(0, stats.pendingMessages - count)
            if let through, through.segment != Self.memoryOnlySegment, let spool {
                do {
                    try spool.acknowledge(through: through)
                    stats.spoolBytes = spool.totalBytes
                } catch {
                    onSpoolFailure("cannot record delivery progress: \(error)")
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
            spool?.close()
            spool = nil
            lock.broadcast()
        }
    }

    /// Deletes the spool of a destination that has delivered everything and is no
    /// longer used, so spool directories do not pile up.
    public func removeSpool() {
        lock.withLock {
            guard let spool else { return }
            spool.close()
            for name in (try? FileSystem.listDirectory(spool.directory)) ?? [] {
                FileSystem.remove(spool.directory + "/" + name)
            }
            FileSystem.removeDirectory(spool.directory)
            self.spool = nil
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

    private var hasReadable: Bool { onDiskOnly || !chunks.isEmpty }

    /// The next record to hand out is on disk and not in memory: its in-memory copy
    /// was let go, or it was written by an earlier run of the plugin.
    private var onDiskOnly: Bool {
        guard let spool else { return false }
        let firstInMemory = chunks.first?.records.first?.position
        return readPosition < min(firstInMemory ?? spool.end, spool.end)
    }

    private func isFull(adding bytes: Int) -> Bool {
        if let spool { return spool.totalBytes + bytes > spool.maxBytes && spool.segmentCount > 1 }
        return stats.memoryBytes + bytes > memoryBudget && !chunks.isEmpty
    }

    /// Appends to the spool; on failure the batch is kept in memory only, and the
    /// spool is given up for good (a disk that failed once is not trusted again).
    private func append(toSpool batch: MessageBatch) -> SpoolPosition {
        if let spool {
            do {
                let position = try spool.append(batch)
                stats.spoolBytes = spool.totalBytes
                stats.spooledMessages += batch.count
                return position
            } catch {
                onSpoolFailure("spool append failed, keeping messages in memory only from now on: \(error)")
                self.spool = nil
            }
        }
        defer { nextMemoryOnlyOffset += 1 }
        return SpoolPosition(segment: Self.memoryOnlySegment, offset: nextMemoryOnlyOffset)
    }

    private func store(_ batch: MessageBatch, at position: SpoolPosition) {
        if chunks.isEmpty || chunks[chunks.count - 1].batch.bytes.count + batch.bytes.count > Self.chunkBytes {
            chunks.append(spare.popLast() ?? Chunk(batch: MessageBatch(capacity: Self.chunkBytes), records: []))
        }
        chunks[chunks.count - 1].batch.append(contentsOf: batch)
        chunks[chunks.count - 1].records.append((position, batch.count))
        stats.memoryBytes += batch.bytes.count
    }

    /// Drop-oldest on the spool: evicts whole segments until `bytes` more fit.
    private func makeRoom(for bytes: Int) -> Int {
        guard let spool else { return 0 }
        var dropped = 0
        while spool.totalBytes + bytes > spool.maxBytes {
            if spool.segmentCount == 1 { try? spool.rotate() }
            // Records already in the sender's hands are its to deliver; the loss is
            // what had not been handed out.
            guard let evicted = try? spool.evictOldestSegment(undeliveredFrom: max(readPosition, spool.acknowledged)) else { break }
            dropped += evicted.messages
            stats.droppedMessages += evicted.messages
            stats.droppedBytes += evicted.bytes
            stats.pendingMessages = max(0, stats.pendingMessages - evicted.messages)
            // Whatever of the evicted segment was still in memory goes with it.
            let oldest = spool.oldestSegment
            chunks.removeAll { chunk in
                guard let first = chunk.records.first, first.position.segment < oldest else { return false }
                stats.memoryBytes -= chunk.batch.bytes.count
                return true
            }
            if readPosition < spool.acknowledged { readPosition = spool.acknowledged }
        }
        stats.spoolBytes = spool.totalBytes
        return dropped
    }

    /// Memory-only: drops the oldest chunks (real loss) until `bytes` more fit.
    private func makeMemoryRoom(for bytes: Int) -> Int {
        var dropped = 0
        while stats.memoryBytes + bytes > memoryBudget, let first = chunks.first,
              first.records.allSatisfy({ $0.position.segment == Self.memoryOnlySegment }) {
            let lost = first.batch.count
            dropped += lost
            stats.droppedMessages += lost
            stats.droppedBytes += first.batch.bytes.count
            stats.pendingMessages = max(0, stats.pendingMessages - lost)
            recycle(chunks.removeFirst())
            if let next = chunks.first?.records.first?.position, readPosition < next { readPosition = next }
        }
        return dropped
    }

    /// With a spool, memory is only a cache: past the budget the oldest copies are let
    /// go (the sender will read them back from disk). Never a loss.
    private func trimMemory() {
        while stats.memoryBytes > memoryBudget, chunks.count > 1 {
            recycle(chunks.removeFirst())
        }
    }

    private func recycle(_ chunk: Chunk) {
        stats.memoryBytes -= chunk.batch.bytes.count
        keepSpare(chunk)
    }

    private func keepSpare(_ chunk: Chunk) {
        guard spare.count < 4 else { return }
        var emptied = chunk
        emptied.batch.removeAll()
        emptied.records.removeAll(keepingCapacity: true)
        spare.append(emptied)
    }

    private func takeChunk(into batch: inout MessageBatch) {
        var chunk = chunks.removeFirst()
        // A chunk may start past `readPosition` only after records in between were
        // given up (dropped, or the spool failed): skip to it.
        if let first = chunk.records.first?.position, readPosition < first { readPosition = first }
        stats.memoryBytes -= chunk.batch.bytes.count
        for record in chunk.records { handedOut.append(record) }
        if let last = chunk.records.last {
            readPosition = chunks.first?.records.first?.position ?? nextPosition(after: last.position)
        }
        if batch.isEmpty {
            swap(&batch, &chunk.batch)
        } else {
            batch.append(contentsOf: chunk.batch)
        }
        keepSpare(chunk)
    }

    /// Reads from disk what is no longer in memory, up to the first record that is.
    private func readSpool(into batch: inout MessageBatch) {
        guard let spool else { return }
        let limit = chunks.first?.records.first?.position
        do {
            if let (next, records) = try spool.read(from: readPosition, upTo: limit, into: &batch, maxBytes: Self.chunkBytes) {
                for record in records { handedOut.append(record) }
                readPosition = next
            } else if let limit {
                readPosition = limit
            }
        } catch {
            // What cannot be read is skipped, and counted as dropped: otherwise the
            // destination would wait for it forever and never report it.
            let skipTo = limit ?? spool.end
            let lost = spool.messages(from: readPosition, to: skipTo)
            onSpoolFailure("spool read failed at \(readPosition): \(error); skipping \(lost) messages")
            stats.droppedMessages += lost
            stats.pendingMessages = max(0, stats.pendingMessages - lost)
            readPosition = skipTo
        }
    }

    /// The position right after a record that was read from memory.
    private func nextPosition(after position: SpoolPosition) -> SpoolPosition {
        if position.segment == Self.memoryOnlySegment {
            return SpoolPosition(segment: position.segment, offset: position.offset + 1)
        }
        return spool?.end ?? position
    }
}

/// Where and how big a destination's spool is.
public struct SpoolConfiguration: Sendable, Equatable {
    public var directory: String
    public var maxBytes: Int
    public var segmentBytes: Int
    public var sync: SpoolSync

    public init(directory: String, maxBytes: Int, segmentBytes: Int = 16 << 20, sync: SpoolSync = .none) {
        self.directory = directory
        self.maxBytes = maxBytes
        self.segmentBytes = segmentBytes
        self.sync = sync
    }
}
