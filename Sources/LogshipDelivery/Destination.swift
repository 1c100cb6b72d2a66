import LogshipSystem
import Synchronization

/// Counters of one destination beyond its queue's, for logs and metrics.
public struct DestinationStats: Sendable {
    public var endpoint: String
    public var queue: QueueStats
    public var sentMessages: Int
    public var sentBytes: Int
    public var connects: Int
    public var sendErrors: Int
    public var connected: Bool
}

/// One place logs go (an endpoint), shared by every stream that names it, so many
/// containers share one connection and one queue.
public final class Destination: Sendable {
    public let endpoint: Endpoint
    public let queue: MessageQueue

    let sentMessages = Atomic<Int>(0)
    let sentBytes = Atomic<Int>(0)
    let connects = Atomic<Int>(0)
    let sendErrors = Atomic<Int>(0)
    let isConnected = Atomic<Bool>(false)
    private let dropReports = RateLimiter()
    private let log: LogSink

    init(endpoint: Endpoint, queueCapacityBytes: Int, log: LogSink) {
        self.endpoint = endpoint
        self.queue = MessageQueue(capacityBytes: queueCapacityBytes)
        self.log = log
    }

    /// The largest message one datagram can carry, for formatters to split long lines;
    /// nil on stream transports.
    public var maxDatagramBytes: Int? {
        switch endpoint {
        case .udp: return 65_507  // the largest UDP payload over IPv4
        case .unixDatagram: return 65_536
        case .tcp, .unixStream: return nil
        }
    }

    /// Hands formatted messages to the queue; never blocks on the network.
    public func enqueue(_ batch: inout MessageBatch) {
        let dropped = queue.enqueue(&batch)
        if dropped > 0, let suppressed = dropReports.admit() {
            let total = queue.currentStats.droppedMessages
            log.warn("destination=\(endpoint) queue full (\(queue.capacityBytes) bytes): dropped the oldest messages, \(total) so far\(suppressed > 0 ? " (\(suppressed) reports suppressed)" : "")")
        }
    }

    public var stats: DestinationStats {
        DestinationStats(endpoint: endpoint.description, queue: queue.currentStats,
                         sentMessages: sentMessages.load(ordering: .relaxed), sentBytes: sentBytes.load(ordering: .relaxed), connects: connects.load(ordering: .relaxed),
                         sendErrors: sendErrors.load(ordering: .relaxed), connected: isConnected.load(ordering: .relaxed))
    }
}
