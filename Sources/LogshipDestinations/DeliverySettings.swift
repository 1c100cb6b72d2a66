/// How destinations queue and connect: plugin-wide, set once at start (PluginSettings
/// reads them; LogshipDelivery acts on them).
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

/// What to do when a destination's queue is full (`QUEUE_OVERFLOW`).
public enum OverflowPolicy: String, Sendable, CaseIterable {
    /// Drop the oldest messages and count them: a container never waits.
    case dropOldest = "drop-oldest"
    /// Make the stream readers wait: nothing is dropped, but a container whose
    /// destination stays down stops being able to write its logs (and stalls).
    case block
}

/// How hard the spool tries to survive a power loss (`SPOOL_SYNC`).
public enum SpoolSync: String, Sendable, CaseIterable {
    /// Appends go to the page cache: they survive a crash or kill of the plugin (and
    /// its restart), not a crash of the host. Segments delivered within the kernel's
    /// write-back delay never touch the disk at all.
    case none
    /// `fdatasync` after every appended batch: survives a host crash, at the price of a
    /// disk flush per batch.
    case batch
}

/// Timeouts and socket settings for connections: fixed values that fit a LAN or a
/// loopback collector (not operator settings).
public struct ConnectionSettings: Sendable {
    public var connectTimeoutMilliseconds: Int32 = 5_000
    /// A peer that accepts nothing for this long counts as dead.
    public var sendTimeoutMilliseconds = 30_000
    public var keepAliveIdleSeconds: Int32 = 30
    public var keepAliveIntervalSeconds: Int32 = 10
    public var keepAliveProbes: Int32 = 3
    public var userTimeoutMilliseconds: Int32 = 30_000

    public init() {}
}
