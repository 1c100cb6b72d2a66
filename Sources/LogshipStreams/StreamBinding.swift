import LogshipConfig
import LogshipDelivery
import LogshipSystem

/// What one stream is bound to now: the settings it resolved to, the generation of the
/// route table they were resolved against, and the destinations it holds. Its reader's
/// thread is the only one that changes it (when the stream follows a route change) and,
/// when the stream ends, gives the destinations back.
final class StreamBinding: @unchecked Sendable {
    let file: String
    /// The container as StartLogging (or the re-attach record) described it.
    let info: ContainerInfo
    /// nil: no usable settings; lines are read and thrown away.
    private(set) var settings: StreamSettings?
    private(set) var destinations: [Destination]
    /// The route-table generation `settings` were resolved against (or the last one that
    /// was tried and gave nothing new).
    var generation: Int
    /// Whether the stream has a re-attach record to keep up to date.
    let recorded: Bool
    /// After a failure that may pass (out of threads), not before this (monotonic).
    var retryAfter: Int64 = 0
    /// Lines thrown away while the stream had no usable settings.
    private(set) var discardedLines = 0
    /// The pipeline's line count when the current settings were bound.
    private var linesAtBinding = 0

    init(file: String, info: ContainerInfo, settings: StreamSettings?, destinations: [Destination], generation: Int, recorded: Bool) {
        self.file = file
        self.info = info
        self.settings = settings
        self.destinations = destinations
        self.generation = generation
        self.recorded = recorded
    }

    /// Binds the stream to `settings` and `destinations` from line `lines` on, handing back
    /// the destinations it held.
    func rebind(to settings: StreamSettings, destinations: [Destination], atLine lines: Int) -> [Destination] {
        countDiscarded(upTo: lines)
        let previous = self.destinations
        self.settings = settings
        self.destinations = destinations
        linesAtBinding = lines
        return previous
    }

    /// Counts the lines read without settings up to `lines` (when the stream ends).
    func countDiscarded(upTo lines: Int) {
        if settings == nil { discardedLines += lines - linesAtBinding }
        linesAtBinding = lines
    }
}
