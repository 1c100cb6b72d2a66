import LogshipSystem

/// What a sender asks the registry about its own life; lets the sender stay
/// ignorant of how destinations are shared.
protocol SenderLifecycle: AnyObject, Sendable {
    /// True (and the destination is forgotten) when no stream uses it and its queue is empty.
    func shouldRetire(_ destination: Destination) -> Bool
    var isPastShutdownDeadline: Bool { get }
    /// Sleeps for a backoff step, waking early at shutdown.
    func pause(nanoseconds: Int64)
    func senderExited(_ destination: Destination)
}

/// All live destinations, keyed by endpoint, reference-counted by the streams that
/// use them. A destination lives while a stream holds it or its queue still has
/// messages: a container that exits leaves its tail to be delivered.
public final class DestinationRegistry: SenderLifecycle, @unchecked Sendable {
    private struct Entry {
        let destination: Destination
        var references: Int
    }

    private let queueCapacityBytes: Int
    private let settings: ConnectionSettings
    private let log: LogSink
    private let lock = ConditionLock()
    private var entries: [Endpoint: Entry] = [:]
    private var runningSenders = 0
    private var shutdownDeadline: Int64?

    public init(queueCapacityBytes: Int, settings: ConnectionSettings = ConnectionSettings(), log: LogSink) {
        self.queueCapacityBytes = queueCapacityBytes
        self.settings = settings
        self.log = log
    }

    /// The destination for `endpoint`, created (with its sender thread) if needed.
    public func acquire(_ endpoint: Endpoint) throws -> Destination {
        try lock.withLock {
            if var entry = entries[endpoint] {
                entry.references += 1
                entries[endpoint] = entry
                return entry.destination
            }
            let destination = Destination(endpoint: endpoint, queueCapacityBytes: queueCapacityBytes, log: log)
            let sender = Sender(destination: destination, settings: settings, log: log, lifecycle: self)
            try spawnThread(name: "send \(endpoint)") { sender.run() }
            runningSenders += 1
            entries[endpoint] = Entry(destination: destination, references: 1)
            return destination
        }
    }

    /// A stream stops using `destination`; its sender drains the queue and then ends.
    public func release(_ destination: Destination) {
        lock.withLock {
            guard var entry = entries[destination.endpoint], entry.destination === destination else { return }
            entry.references -= 1
            entries[destination.endpoint] = entry
        }
        destination.queue.wake()
    }

    public var allStats: [DestinationStats] {
        lock.withLock { entries.values.map(\.destination.stats) }.sorted { $0.endpoint < $1.endpoint }
    }

    /// Lets senders deliver what they can until `deadline` (monotonic), then stops them
    /// and waits for their threads to finish.
    public func shutdown(deadline: Int64) {
        let destinations: [Destination] = lock.withLock {
            shutdownDeadline = deadline
            lock.broadcast()
            return entries.values.map(\.destination)
        }
        for destination in destinations { destination.queue.wake() }
        lock.withLock {
            while runningSenders > 0 {
                _ = lock.wait(until: deadline + 2_000_000_000)
                if MonotonicClock.now() > deadline + 2_000_000_000 { break }
            }
        }
    }

    // MARK: SenderLifecycle

    func shouldRetire(_ destination: Destination) -> Bool {
        lock.withLock {
            if let deadline = shutdownDeadline, destination.queue.isEmpty || MonotonicClock.now() >= deadline { return true }
            guard let entry = entries[destination.endpoint], entry.destination === destination else { return true }
            guard entry.references == 0 && destination.queue.isEmpty else { return false }
            entries[destination.endpoint] = nil
            return true
        }
    }

    var isPastShutdownDeadline: Bool {
        lock.withLock { shutdownDeadline.map { MonotonicClock.now() >= $0 } ?? false }
    }

    func pause(nanoseconds: Int64) {
        lock.withLock {
            let until = MonotonicClock.now() + nanoseconds
            while MonotonicClock.now() < until {
                if let deadline = shutdownDeadline, MonotonicClock.now() >= deadline { return }
                if !lock.wait(until: until) { return }
            }
        }
    }

    func senderExited(_ destination: Destination) {
        lock.withLock {
            if let entry = entries[destination.endpoint], entry.destination === destination, shutdownDeadline != nil {
                entries[destination.endpoint] = nil
            }
            runningSenders -= 1
            lock.broadcast()
        }
    }
}
