import Synchronization

/// The disk all spools of the plugin may use together (`SPOOL_TOTAL_SIZE`), so that
/// many destinations that are down cannot fill Docker's disk between them.
public final class SpoolBudget: Sendable {
    public let limitBytes: Int
    private let used = Atomic<Int>(0)

    /// - Parameter limitBytes: 0 for no limit.
    public init(limitBytes: Int) {
        self.limitBytes = limitBytes
    }

    public var usedBytes: Int { used.load(ordering: .relaxed) }

    /// Whether `bytes` more would go past the limit.
    func wouldExceed(adding bytes: Int) -> Bool {
        limitBytes > 0 && usedBytes + bytes > limitBytes
    }

    /// A spool grew (positive) or shrank (negative).
    func record(_ delta: Int) {
        if delta != 0 { used.add(delta, ordering: .relaxed) }
    }
}
