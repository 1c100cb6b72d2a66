import Synchronization

/// Plugin-wide stream counters for metrics; updated as streams start, read and end.
final class StreamCounters: Sendable {
    let started = Atomic<Int>(0)
    let reattached = Atomic<Int>(0)
    let ended = Atomic<Int>(0)
    let entries = Atomic<Int>(0)
    let bytes = Atomic<Int>(0)
    let reassembledLines = Atomic<Int>(0)
    /// Damaged places in streams (bytes that did not decode), and the bytes skipped;
    /// counted by the readers as they happen.
    let decodeErrors = Atomic<Int>(0)
    let skippedBytes = Atomic<Int>(0)
    /// Lines of streams that had no usable settings, read and thrown away.
    let discardedLines = Atomic<Int>(0)

    func record(_ outcome: StreamOutcome, discardedLines: Int) {
        if !outcome.stopped { ended.add(1, ordering: .relaxed) }
        entries.add(outcome.entries, ordering: .relaxed)
        bytes.add(outcome.bytesRead, ordering: .relaxed)
        reassembledLines.add(outcome.reassembledLines, ordering: .relaxed)
        self.discardedLines.add(discardedLines, ordering: .relaxed)
    }

    var snapshot: StreamCounts {
        StreamCounts(started: started.load(ordering: .relaxed), reattached: reattached.load(ordering: .relaxed),
                     ended: ended.load(ordering: .relaxed), entries: entries.load(ordering: .relaxed),
                     reassembledLines: reassembledLines.load(ordering: .relaxed), decodeErrors: decodeErrors.load(ordering: .relaxed),
                     skippedBytes: skippedBytes.load(ordering: .relaxed), discardedLines: discardedLines.load(ordering: .relaxed))
    }
}

/// The stream counters at one moment, for `/metrics`.
public struct StreamCounts: Sendable {
    public var started: Int
    public var reattached: Int
    public var ended: Int
    /// Entries of streams that have ended.
    public var entries: Int
    public var reassembledLines: Int
    public var decodeErrors: Int
    public var skippedBytes: Int
    public var discardedLines: Int
}
