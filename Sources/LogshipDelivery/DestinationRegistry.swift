// The LogshipDelivery module: getting formatted messages to receivers. Per destination a
// queue (memory and a disk spool), a sender thread, and transports (UDP, TCP, TLS, unix
// sockets) with reconnects, fail-over and DNS re-resolution.

import LogshipDestinations
import LogshipSystem

/// What a sender asks the registry about its own life; lets the sender stay
/// ignorant of how destinations are shared.
protocol SenderLifecycle: AnyObject, Sendable {
    /// True (and the destination is forgotten) when no stream uses it and nothing is
    /// left to deliver, or at shutdown.
    func shouldRetire(_ destination: Destination) -> Bool
    var isPastShutdownDeadline: Bool { get }
    var isShuttingDown: Bool { get }
    /// Sleeps for a backoff step; returns at once during shutdown.
    func pause(nanoseconds: Int64)
    func senderExited(_ destination: Destination)
}

/// All live destinations, keyed by their addresses, reference-counted by the streams
/// that use them. A destination lives while a stream holds it or it still has
/// messages to deliver: a container that exits leaves its tail to be delivered, and
/// spools left by an earlier run are picked up at start (`recoverSpools`).
public final class DestinationRegistry: SenderLifecycle, @unchecked Sendable {
    private enum Entry {
        /// Being created (its spool is opened, which after a crash means reading every
        /// record header): others that need it wait, without holding up other keys.
        case opening
        case ready(destination: Destination, references: Int)

        var destination: Destination? {
            if case let .ready(destination, _) = self { return destination }
            return nil
        }
    }

    public let settings: DeliverySettings
    private let log: LogSink
    private let lock = ConditionLock()
    private var entries: [DestinationKey: Entry] = [:]
    private var runningSenders = 0
    /// The final counters of destinations that retired, and when they did.
    private var retired: [DestinationKey: (stats: DestinationStats, at: Int64)] = [:]
    static let retiredStatsNanoseconds: Int64 = 300_000_000_000
    /// SPOOL_TOTAL_SIZE, shared by every destination's spool.
    private let spoolBudget: SpoolBudget
    private var shutdownDeadline: Int64?

    public init(settings: DeliverySettings, log: LogSink) {
        self.settings = settings
        self.log = log
        spoolBudget = SpoolBudget(limitBytes: settings.spoolTotalBytes)
    }

    /// Disk used by all spools together.
    public var spoolBytesInUse: Int { spoolBudget.usedBytes }

    /// A registry with memory-only queues of `queueCapacityBytes` (tests).
    convenience init(queueCapacityBytes: Int, log: LogSink) {
        var settings = DeliverySettings()
        settings.memoryBytes = queueCapacityBytes
        self.init(settings: settings, log: log)
    }

    /// The destination for `key`, created (with its sender thread) if needed.
    public func acquire(_ key: DestinationKey) throws -> Destination {
        if let existing = lock.withLock({ () -> Destination? in
            while true {
                switch entries[key] {
                case let .ready(destination, references)?:
                    entries[key] = .ready(destination: destination, references: references + 1)
                    destination.streams.add(1, ordering: .relaxed)
                    return destination
                case .opening?:
                    lock.wait()
                case nil:
                    entries[key] = .opening
                    return nil
                }
            }
        }) {
            return existing
        }
        let destination = try open(key, references: 1)
        destination.streams.add(1, ordering: .relaxed)
        return destination
    }

    /// A destination of one address that writes messages as they are (tests, the benchmark).
    public func acquire(_ endpoint: Endpoint, framing: WireFraming = .rawLines) throws -> Destination {
        try acquire(DestinationKey(EndpointList(endpoint), framing: framing))
    }

    /// A stream stops using `destination`; its sender delivers what is left, then ends.
    public func release(_ destination: Destination) {
        lock.withLock {
            guard case let .ready(current, references)? = entries[destination.key], current === destination else { return }
            entries[destination.key] = .ready(destination: destination, references: references - 1)
            destination.streams.subtract(1, ordering: .relaxed)
        }
        destination.queue.wake()
    }

    /// Starts a destination for every spool an earlier run left with undelivered
    /// messages (its containers may be long gone), so they are delivered now. The
    /// spools are opened by a thread of their own, one at a time: a large one takes a
    /// while to index, and neither the plugin's start nor other destinations wait for
    /// it (a stream that needs it waits in `acquire`).
    public func recoverSpools() {
        guard let root = settings.spoolRoot, let names = try? FileSystem.listDirectory(root) else { return }
        var keys: [DestinationKey] = []
        for name in names {
            guard let text = try? FileSystem.read(root + "/" + name + "/destination"),
                  let key = DestinationKey(persistentForm: String(decoding: text, as: UTF8.self)) else { continue }
            keys.append(key)
        }
        guard !keys.isEmpty else { return }
        do {
            try spawnThread(name: "recover spools") { [self, keys] in
                for key in keys { recover(key) }
            }
        } catch {
            log.error("cannot start the thread that recovers spools (\(error)); recovering them now")
            for key in keys { recover(key) }
        }
    }

    private func recover(_ key: DestinationKey) {
        let claimed = lock.withLock { () -> Bool in
            guard entries[key] == nil, shutdownDeadline == nil else { return false }
            entries[key] = .opening
            return true
        }
        guard claimed else { return }  // a stream opened it already
        do {
            let destination = try open(key, references: 0)
            let pending = destination.queue.currentStats.pendingMessages
            if pending > 0 { log.info("destination=\(key) \(pending) messages left by the previous run; delivering") }
            destination.queue.wake()
        } catch {
            log.error("destination=\(key) cannot recover its spool: \(error)")
        }
    }

    /// Destinations live now (not counting retired ones kept for their counters).
    public var liveCount: Int { lock.withLock { entries.count } }

    /// Live destinations, then those retired in the last `retiredStatsNanoseconds`: a
    /// destination retires once its last stream ended and it delivered everything, and
    /// its final counters stay visible (to Prometheus, to an operator checking drops)
    /// for a while instead of vanishing with it.
    public var allStats: [DestinationStats] {
        let (live, ended) = lock.withLock { () -> ([Destination], [DestinationStats]) in
            let now = MonotonicClock.now()
            retired = retired.filter { now - $0.value.at < Self.retiredStatsNanoseconds && entries[$0.key] == nil }
            return (entries.values.compactMap(\.destination), retired.values.map(\.stats))
        }
        return (live.map(\.stats) + ended).sorted { ($0.destination, $0.framing) < ($1.destination, $1.framing) }
    }

    /// Every queue refuses new messages from now on (the readers have stopped).
    public func stopAccepting() {
        let all = lock.withLock { entries.values.compactMap(\.destination) }
        for destination in all { destination.queue.stopAccepting() }
    }

    /// Lets senders deliver what they can until `deadline` (monotonic), then stops them
    /// and waits for their threads. What is undelivered stays in the spools; the
    /// destinations' final counters are returned for the shutdown report.
    @discardableResult
    public func shutdown(deadline: Int64) -> [DestinationStats] {
        let destinations: [Destination] = lock.withLock {
            shutdownDeadline = deadline
            lock.broadcast()
            return entries.values.compactMap(\.destination)
        }
        for destination in destinations { destination.queue.wake() }
        waitForSenders(until: deadline)
        // A sender still here is blocked writing to a receiver that stopped reading.
        for destination in destinations { destination.interruptConnection() }
        waitForSenders(until: deadline + 2_000_000_000)
        return destinations.map(\.stats).sorted { ($0.destination, $0.framing) < ($1.destination, $1.framing) }
    }

    private func waitForSenders(until time: Int64) {
        lock.withLock {
            while runningSenders > 0 && MonotonicClock.now() < time {
                _ = lock.wait(until: time)
            }
        }
    }

    /// Creates the destination `key` was reserved for (`.opening`), with its queue and
    /// sender thread, outside the lock; on failure the reservation is given up.
    private func open(_ key: DestinationKey, references: Int) throws -> Destination {
        do {
            let queue = DeliveryQueue(memoryBudget: settings.memoryBytes, spool: spoolConfiguration(for: key), overflow: settings.overflow,
                                      budget: spoolBudget) { [log] problem in
                log.error("destination=\(key) \(problem)")
            }
            let destination = Destination(key: key, queue: queue, log: log)
            let sender = Sender(destination: destination, settings: settings, log: log, lifecycle: self)
            try lock.withLock {
                try spawnThread(name: "send \(key)") { sender.run() }
                runningSenders += 1
                entries[key] = .ready(destination: destination, references: references)
                lock.broadcast()
            }
            return destination
        } catch {
            lock.withLock {
                entries[key] = nil
                lock.broadcast()
            }
            throw error
        }
    }

    /// Where `key`'s spool lives, and the record that names its addresses there; nil
    /// when spooling is off.
    /// The queue creates the directory (and retries if the disk refuses).
    private func spoolConfiguration(for key: DestinationKey) -> SpoolConfiguration? {
        guard let root = settings.spoolRoot else { return nil }
        return SpoolConfiguration(directory: root + "/" + key.spoolDirectoryName, maxBytes: settings.spoolBytes,
                                  sync: settings.spoolSync, destinationRecord: key.persistentForm)
    }

    // MARK: SenderLifecycle

    func shouldRetire(_ destination: Destination) -> Bool {
        lock.withLock {
            if let deadline = shutdownDeadline, destination.queue.isEmpty || MonotonicClock.now() >= deadline { return true }
            guard case let .ready(current, references)? = entries[destination.key], current === destination else { return true }
            guard references == 0 && destination.queue.isDone else { return false }
            entries[destination.key] = nil
            var final = destination.stats
            final.connectedTo = nil  // its sender disconnects as it exits
            retired[destination.key] = (final, MonotonicClock.now())
            // Under the lock, so a new destination for the same addresses cannot open
            // the spool while it is being removed.
            destination.queue.removeSpool()
            return true
        }
    }

    var isPastShutdownDeadline: Bool {
        lock.withLock { shutdownDeadline.map { MonotonicClock.now() >= $0 } ?? false }
    }

    var isShuttingDown: Bool { lock.withLock { shutdownDeadline != nil } }

    func pause(nanoseconds: Int64) {
        lock.withLock {
            let until = MonotonicClock.now() + nanoseconds
            while MonotonicClock.now() < until && shutdownDeadline == nil {
                if !lock.wait(until: until) { return }
            }
        }
    }

    func senderExited(_ destination: Destination) {
        lock.withLock {
            if entries[destination.key]?.destination === destination, shutdownDeadline != nil {
                entries[destination.key] = nil
            }
            destination.queue.close()
            runningSenders -= 1
            lock.broadcast()
        }
    }
}
