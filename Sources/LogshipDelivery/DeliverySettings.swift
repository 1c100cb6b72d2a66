/// How destinations queue and connect: plugin-wide, set once at start.
public struct DeliverySettings: Sendable {
    /// Memory for each destination's queue.
    public var memoryBytes: Int = 16 << 20
    /// Where each destination's spool lives (a directory per destination); nil keeps
    /// queues in memory only.
    public var spoolRoot: String?
    public var spoolBytes: Int = 1 << 30
    /// All spools together (0: no limit).
    public var spoolTotalBytes: Int = 4 << 30
    public var spoolSync: SpoolSync = .none
    public var overflow: OverflowPolicy = .dropOldest
    public var connection = ConnectionSettings()
    /// How often a connected destination looks its host name up again, so a changed
    /// DNS record is followed without waiting for a failure (UDP never fails).
    public var resolveIntervalNanoseconds: Int64 = 60_000_000_000
    /// How often a destination connected to a fail-over address tries its primary.
    public var failbackIntervalNanoseconds: Int64 = 30_000_000_000

    public init() {}
}
