import Synchronization

/// Plugin-wide stream counters for metrics; updated when streams start and end.
final class StreamCounters: Sendable {
    let started = Atomic<Int>(0)
    let reattached = Atomic<Int>(0)
    let ended = Atomic<Int>(0)
    let entries = Atomic<Int>(0)
    let bytes = Atomic<Int>(0)
    let reassembledLines = Atomic<Int>(0)
    /// Streams closed because a frame could not be decoded.
    let decodeErrors = Atomic<Int>(0)
    let discardedBytes = Atomic<Int>(0)

    func record(_ outcome: StreamOutcome) {
        ended.add(1, ordering: .relaxed)
        entries.add(outcome.entries, ordering: .relaxed)
        bytes.add(outcome.bytesRead, ordering: .relaxed)
        reassembledLines.add(outcome.reassembledLines, ordering: .relaxed)
        if outcome.failure != nil { decodeErrors.add(1, ordering: .relaxed) }
        discardedBytes.add(outcome.discardedBytes, ordering: .relaxed)
    }
}
