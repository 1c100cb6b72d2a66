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
    /// Messages kept in memory only because the spool could not take them (a full
    /// disk, a failing one, or all spools together at SPOOL_TOTAL_SIZE).
    public var unspooledMessages = 0

    public init() {}
}
