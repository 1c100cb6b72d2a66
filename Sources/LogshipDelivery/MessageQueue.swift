import LogshipSystem

/// Counters of one queue, read for logs and metrics.
public struct QueueStats: Sendable, Equatable {
    public var enqueuedMessages = 0
    public var droppedMessages = 0
    public var droppedBytes = 0
    public var queuedMessages = 0
    public var queuedBytes = 0
}

/// The bounded, in-memory queue between the stream readers of a destination and
/// its sender. It is what makes "the reader never waits on the network" true:
/// `enqueue` never blocks on the sender, and when the byte budget is full the
/// oldest messages are dropped and counted (a disk spool will take them instead;
/// `evictOldest` is that seam).
///
/// Messages are kept in segments of about `segmentBytes`; the sender takes a whole
/// segment at a time, so one `send` carries many messages, and segments are
/// recycled so the steady state allocates nothing.
public final class MessageQueue: @unchecked Sendable {
    public let capacityBytes: Int
    public let segmentBytes: Int

    private let lock = ConditionLock()
    private var segments: [MessageBatch] = []
    private var spare: [MessageBatch] = []
    private var stats = QueueStats()
    private var wakeRequested = false

    public init(capacityBytes: Int, segmentBytes: Int = 256 * 1024) {
        precondition(capacityBytes > 0 && segmentBytes > 0)
        self.capacityBytes = capacityBytes
        self.segmentBytes = segmentBytes
    }

    public var currentStats: QueueStats { lock.withLock { stats } }

    public var isEmpty: Bool { lock.withLock { segments.isEmpty } }

    /// Copies `batch`'s messages into the queue and empties `batch` for reuse.
    /// Returns the number of messages dropped to make room (0 almost always).
    @discardableResult
    public func enqueue(_ batch: inout MessageBatch) -> Int {
        guard !batch.isEmpty else { return 0 }
        var dropped = 0
        lock.withLock {
            while stats.queuedBytes + batch.bytes.count > capacityBytes && !segments.isEmpty {
                dropped += evictOldest()
            }
            if segments.isEmpty || segments[segments.count - 1].bytes.count + batch.bytes.count > segmentBytes {
                var segment = spare.popLast() ?? MessageBatch(capacity: segmentBytes)
                segment.removeAll()
                segments.append(segment)
            }
            segments[segments.count - 1].append(contentsOf: batch)
            stats.enqueuedMessages += batch.count
            stats.queuedMessages += batch.count
            stats.queuedBytes += batch.bytes.count
            lock.signal()
        }
        batch.removeAll()
        return dropped
    }

    /// Waits until messages are queued (or `deadline`, a monotonic time, passes, or
    /// `wake()` is called), then moves the oldest segment into `batch`, whose own
    /// buffer is recycled. Returns false when nothing was taken.
    public func dequeue(into batch: inout MessageBatch, deadline: Int64) -> Bool {
        lock.withLock {
            while segments.isEmpty && !wakeRequested {
                if !lock.wait(until: deadline) { break }
            }
            wakeRequested = false
            guard !segments.isEmpty else { return false }
            var taken = segments.removeFirst()
            stats.queuedMessages -= taken.count
            stats.queuedBytes -= taken.bytes.count
            swap(&taken, &batch)
            taken.removeAll()
            if spare.count < 4 { spare.append(taken) }
            return true
        }
    }

    /// Puts messages that could not be sent back at the head, ahead of newer ones.
    public func requeueFront(_ batch: inout MessageBatch) {
        guard !batch.isEmpty else { return }
        lock.withLock {
            stats.queuedMessages += batch.count
            stats.queuedBytes += batch.bytes.count
            var front = MessageBatch()
            swap(&front, &batch)
            segments.insert(front, at: 0)
            lock.signal()
        }
    }

    /// Interrupts a waiting `dequeue` (used when the destination's state changes).
    public func wake() {
        lock.withLock {
            wakeRequested = true
            lock.signal()
        }
    }

    /// Drops the oldest segment; the lock is held. Returns how many messages went.
    private func evictOldest() -> Int {
        var oldest = segments.removeFirst()
        let count = oldest.count
        stats.queuedMessages -= count
        stats.queuedBytes -= oldest.bytes.count
        stats.droppedMessages += count
        stats.droppedBytes += oldest.bytes.count
        oldest.removeAll()
        if spare.count < 4 { spare.append(oldest) }
        return count
    }
}
