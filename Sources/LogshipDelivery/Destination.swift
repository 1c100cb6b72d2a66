import LogshipDestinations
import Glibc
import LogshipSystem
import Synchronization

/// Counters of one destination, for logs and metrics.
public struct DestinationStats: Sendable {
    /// The addresses, as `syslog-address`/`tcp-address` gave them.
    public var destination: String
    /// How messages are delimited: with the addresses, what tells destinations apart.
    public var framing: String
    public var queue: QueueStats
    public var sentMessages: Int
    public var sentBytes: Int
    public var connects: Int
    public var sendErrors: Int
    public var lostMessages: Int
    /// The address it is connected to now; nil while disconnected, and while a RELP
    /// receiver leaves messages unanswered (`unansweredSeconds`).
    public var connectedTo: String?
    /// For a destination whose receiver acknowledges messages (RELP); nil for the others.
    public var acknowledgements: AcknowledgementStats?
    /// Streams using it now.
    public var streams: Int
    /// Messages made by joining two or more lines (multi-line options), and their lines.
    public var joinedMessages: Int
    public var joinedLines: Int
}

/// A RELP destination's acknowledgements, for `/metrics` and `/health`.
public struct AcknowledgementStats: Sendable, Equatable {
    /// Messages the receiver acknowledged (`rsp 200`).
    public var acknowledged: Int
    /// Messages written and waiting for their answer now.
    public var inFlight: Int
    /// Messages written again after a broken session or a refusal.
    public var resent: Int
    /// Answers other than 200.
    public var refused: Int
    /// Seconds without any answer while messages wait, once past 5 s; nil otherwise.
    public var unansweredSeconds: Int?
}

/// One place logs go (a list of addresses: a primary and its fail-overs), shared by
/// every stream that names it, so many containers share one queue and one connection.
public final class Destination: Sendable {
    public let key: DestinationKey
    public let queue: DeliveryQueue

    let sentMessages = Atomic<Int>(0)
    let sentBytes = Atomic<Int>(0)
    let connects = Atomic<Int>(0)
    let sendErrors = Atomic<Int>(0)
    /// Sent but lost for good: datagrams refused by the receiver's host, messages too
    /// large for any datagram.
    let lostMessages = Atomic<Int>(0)
    let connectedTo = Mutex<String?>(nil)
    /// Kept by RELP sessions; untouched by the other transports.
    let acknowledgements = AcknowledgementCounters()
    let streams = Atomic<Int>(0)
    private let joinedMessages = Atomic<Int>(0)
    private let joinedLines = Atomic<Int>(0)
    /// The sender's open socket; changed and closed only under this lock, so that
    /// `interruptConnection` can never hit a descriptor number that was reused.
    let activeSocket = Mutex<Socket?>(nil)
    private let dropReports = RateLimiter()
    private let log: LogSink

    init(key: DestinationKey, queue: DeliveryQueue, log: LogSink) {
        self.key = key
        self.queue = queue
        self.log = log
    }

    /// The largest message one datagram can carry, for formatters to split long lines;
    /// nil on stream transports.
    public var maxDatagramBytes: Int? {
        guard key.isDatagram else { return nil }
        if case .unixDatagram = key.primary { return 65_536 }
        return 65_507  // the largest UDP payload over IPv4
    }

    /// Hands formatted messages to the queue, into `lane` (nil: the lane of messages
    /// that name no container), with how many of the lane's messages its rate limit
    /// dropped since the last call; never blocks on the network. False when the queue
    /// refused them (the plugin is stopping).
    public func enqueue(_ batch: inout MessageBatch, lane: LaneHandle? = nil, rateLimited: Int = 0) -> Bool {
        guard case let .accepted(dropped) = queue.enqueue(&batch, lane: lane, rateLimited: rateLimited) else { return false }
        if dropped > 0, let suppressed = dropReports.admit() {
            let stats = queue.currentStats
            let full = queue.isSpooled ? "spool full (\(stats.spoolBytes) bytes on disk)" : "queue full (\(queue.memoryBudget) bytes)"
            log.warn("destination=\(key) \(full): dropped the oldest messages of the containers holding the most, \(stats.droppedMessages) so far\(suppressed > 0 ? " (\(suppressed) reports suppressed)" : "")")
        }
        return true
    }

    /// Counts messages the streams made by joining lines (their outputs add them up per
    /// batch, not per message).
    public func countJoined(messages: Int, lines: Int) {
        joinedMessages.add(messages, ordering: .relaxed)
        joinedLines.add(lines, ordering: .relaxed)
    }

    /// Container `containerID`'s lane of this destination's queue (see `DeliveryQueue.openLane`).
    public func openLane(container containerID: String, notices: DropNoticeWriter?, rateLimit: String?) -> LaneHandle {
        queue.openLane(container: containerID, notices: notices, rateLimit: rateLimit)
    }

    /// A stream of container `containerID` stopped writing here.
    public func closeLane(container containerID: String) {
        queue.closeLane(container: containerID)
    }

    /// Aborts a write that is blocked on a receiver that stopped reading (shutdown
    /// must not outlast Docker's 10 s); the unacknowledged messages stay spooled.
    func interruptConnection() {
        activeSocket.withLock { socket in
            socket?.shutdown()
        }
    }

    public var stats: DestinationStats {
        var acknowledgementStats: AcknowledgementStats?
        if key.framing == .syslogRELP {
            let counters = acknowledgements
            acknowledgementStats = AcknowledgementStats(
                acknowledged: counters.acknowledged.load(ordering: .relaxed), inFlight: counters.inFlight.load(ordering: .relaxed),
                resent: counters.resent.load(ordering: .relaxed), refused: counters.refused.load(ordering: .relaxed),
                unansweredSeconds: counters.unansweredSeconds())
        }
        // A session whose receiver answers nothing is connected only in name: messages
        // wait as if it were down.
        let connected = acknowledgementStats?.unansweredSeconds == nil ? connectedTo.withLock { $0 } : nil
        return DestinationStats(destination: key.addresses.description, framing: key.framing.rawValue, queue: queue.currentStats,
                                sentMessages: sentMessages.load(ordering: .relaxed), sentBytes: sentBytes.load(ordering: .relaxed),
                                connects: connects.load(ordering: .relaxed), sendErrors: sendErrors.load(ordering: .relaxed),
                                lostMessages: lostMessages.load(ordering: .relaxed),
                                connectedTo: connected, acknowledgements: acknowledgementStats, streams: streams.load(ordering: .relaxed),
                                joinedMessages: joinedMessages.load(ordering: .relaxed), joinedLines: joinedLines.load(ordering: .relaxed))
    }
}
