import Synchronization

/// What one container's lane of a destination's queue counted, for the per-container
/// metrics: every message of the container that reached the destination's queue is
/// sent, dropped by an overflow, dropped by the rate limit, or still pending.
/// Updated by the queue under its lock; read without it.
public final class LaneCounters: Sendable {
    /// Messages formatted for the destination, rate-limited ones included.
    public let received = Atomic<Int>(0)
    /// Written to the receiver (drop notices are logship's, not the container's: not counted).
    public let sent = Atomic<Int>(0)
    /// Dropped because the destination's spool (or memory queue) was full and this
    /// container held the largest share of it.
    public let droppedByOverflow = Atomic<Int>(0)
    /// Dropped by `rate-limit`.
    public let droppedByRateLimit = Atomic<Int>(0)
    /// When the last drop of either kind happened (monotonic nanoseconds; 0: never).
    public let lastDropAt = Atomic<Int64>(0)

    public init() {}

    func countDrops(overflow: Int = 0, rateLimit: Int = 0, at now: Int64) {
        if overflow > 0 { droppedByOverflow.add(overflow, ordering: .relaxed) }
        if rateLimit > 0 { droppedByRateLimit.add(rateLimit, ordering: .relaxed) }
        lastDropAt.store(now, ordering: .relaxed)
    }
}
