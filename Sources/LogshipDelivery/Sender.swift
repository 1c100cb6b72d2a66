import LogshipDestinations
import LogshipSystem

/// The one thread per destination that takes batches off the queue and writes them,
/// connecting, failing over and reconnecting as needed. Only this thread waits on
/// the network.
final class Sender: @unchecked Sendable {
    private struct Connection {
        let transport: Transport
        /// Which of the destination's addresses (0 is the primary).
        let index: Int
        /// What the host name resolved to when connecting; nil for unix sockets.
        let resolved: [SocketAddress]?
        var nextResolve: Int64
    }

    private let destination: Destination
    private let settings: DeliverySettings
    private let log: LogSink
    private let lifecycle: SenderLifecycle
    private var connection: Connection?
    private var backoff = Backoff()
    /// Between attempts after the receiver refused a message (a RELP answer other than
    /// 200): reconnecting cannot help a receiver that refuses, waiting may.
    private var refusalBackoff = Backoff()
    private var nextFailback: Int64 = 0
    private let failureReports = RateLimiter()
    private let refusalReports = RateLimiter()
    /// How many messages at the head of the batch being delivered were written before
    /// without being acknowledged (RELP): writing them again counts as resending.
    private var writtenBefore = 0

    init(destination: Destination, settings: DeliverySettings, log: LogSink, lifecycle: SenderLifecycle) {
        self.destination = destination
        self.settings = settings
        self.log = log
        self.lifecycle = lifecycle
    }

    func run() {
        var batch = MessageBatch()
        // Past the shutdown deadline whatever is left stays in the spool (it was never
        // acknowledged) for the next run.
        while !lifecycle.isPastShutdownDeadline {
            if batch.isEmpty {
                let taken = destination.queue.dequeue(into: &batch, deadline: MonotonicClock.now() + 1_000_000_000)
                if !taken {
                    if lifecycle.shouldRetire(destination) { break }
                    continue
                }
            }
            deliver(&batch)
            // At shutdown a destination that is down does not wait for its backoff: only
            // one that is still taking messages gets the grace period.
            if !batch.isEmpty && lifecycle.isShuttingDown && connection == nil { break }
        }
        disconnect()
        lifecycle.senderExited(destination)
    }

    /// Sends `batch`, or as much of it as possible before a failure; what is left
    /// stays in `batch` for the next attempt. Delivered messages are acknowledged.
    private func deliver(_ batch: inout MessageBatch) {
        maintainConnection()
        guard let transport = connectedTransport() else {
            lifecycle.pause(nanoseconds: backoff.next())
            return
        }
        do {
            try transport.send(batch)
            countResent(written: batch.count, acknowledged: batch.count, unacknowledgedWrites: 0)
            delivered(batch.count, bytes: batch.bytes.count)
            batch.removeAll()
            refusalBackoff.reset()
        } catch {
            countResent(written: error.sentMessages + error.unacknowledgedWrites, acknowledged: error.sentMessages,
                        unacknowledgedWrites: error.unacknowledgedWrites)
            let bytes = error.sentMessages == 0 ? 0 : batch.ends[error.sentMessages - 1]
            delivered(error.sentMessages, bytes: bytes)
            destination.sendErrors.add(1, ordering: .relaxed)
            batch.removeFirst(messages: error.sentMessages)
            if error.isRefusal {
                // Logged apart from connection failures, so an outage's reports cannot hide it.
                if let suppressed = refusalReports.admit() {
                    log.warn("destination=\(destination.key) \(transport.peer): \(error.reason); \(batch.count) messages kept, sending again after a pause (\(destination.acknowledgements.refused.load(ordering: .relaxed)) refusals so far\(suppressed > 0 ? ", \(suppressed) reports suppressed" : ""))")
                }
                disconnect()
                lifecycle.pause(nanoseconds: refusalBackoff.next())
            } else {
                report("send to \(transport.peer) failed: \(error.reason); reconnecting, \(batch.count) messages to resend")
                disconnect()
            }
        }
        for message in transport.takeUndeliverable() {
            destination.lostMessages.add(1, ordering: .relaxed)
            log.error("destination=\(destination.key) dropped a message that no retry can deliver: \(message)")
        }
        let refused = transport.takeRefusedDatagrams()
        if refused > 0 {
            destination.lostMessages.add(refused, ordering: .relaxed)
            report("\(transport.peer) refused \(refused) datagrams (port unreachable): nothing listens there; they are lost")
        }
    }

    /// After an attempt that wrote the first `written` messages of the batch: those of
    /// them written before are resends. `unacknowledgedWrites` of the messages left after
    /// the `acknowledged` prefix were written now, and will be resent in turn.
    private func countResent(written: Int, acknowledged: Int, unacknowledgedWrites: Int) {
        let resent = min(writtenBefore, written)
        if resent > 0 { destination.acknowledgements.resent.add(resent, ordering: .relaxed) }
        writtenBefore = max(unacknowledgedWrites, writtenBefore - acknowledged, 0)
    }

    private func delivered(_ messages: Int, bytes: Int) {
        destination.queue.acknowledge(messages: messages)
        destination.sentMessages.add(messages, ordering: .relaxed)
        destination.sentBytes.add(bytes, ordering: .relaxed)
    }

    // MARK: Connections

    /// The open connection, or a new one to the first address that accepts, trying
    /// the primary first.
    private func connectedTransport() -> Transport? {
        if let connection {
            guard connection.transport.peerHasClosed() else { return connection.transport }
            report("\(connection.transport.peer) closed the connection; reconnecting")
            disconnect()
        }
        var failures: [String] = []
        for (index, endpoint) in destination.key.endpoints.enumerated() {
            do {
                try connect(index, endpoint)
                return connection?.transport
            } catch {
                failures.append("\(endpoint): \(error)")
            }
        }
        report("cannot connect (\(failures.joined(separator: "; "))); \(destination.queue.currentStats.pendingMessages) messages waiting, retrying")
        return nil
    }

    private func connect(_ index: Int, _ endpoint: Endpoint) throws {
        // Resolved once: the same addresses are dialled and remembered, so a later
        // lookup that differs means the record really changed.
        let resolved = try Sender.resolve(endpoint)
        let transport = try TransportFactory.connect(endpoint, resolved: resolved, settings: settings.connection,
                                                     acknowledgements: destination.acknowledgements)
        disconnect()
        connection = Connection(transport: transport, index: index, resolved: resolved,
                                nextResolve: MonotonicClock.now() + settings.resolveIntervalNanoseconds)
        destination.activeSocket.withLock { $0 = transport.socket }
        backoff.reset()
        if index > 0 { nextFailback = MonotonicClock.now() + settings.failbackIntervalNanoseconds }
        destination.connects.add(1, ordering: .relaxed)
        destination.connectedTo.withLock { $0 = endpoint.description }
        let role = destination.key.endpoints.count == 1 ? "" : index == 0 ? " (primary)" : " (fail-over \(index))"
        log.info("destination=\(destination.key) connected to \(endpoint)\(role)")
    }

    /// Between batches: goes back to the primary when it answers again, and follows a
    /// host name to its new addresses, so neither needs a failure or a restart.
    private func maintainConnection() {
        guard let current = connection else { return }
        let now = MonotonicClock.now()
        if current.index > 0 && now >= nextFailback {
            nextFailback = now + settings.failbackIntervalNanoseconds
            let primary = destination.key.endpoints[0]
            if (try? connect(0, primary)) != nil {
                log.info("destination=\(destination.key) failed back to \(primary)")
            }
            return
        }
        if now >= current.nextResolve {
            connection?.nextResolve = now + settings.resolveIntervalNanoseconds
            let endpoint = destination.key.endpoints[current.index]
            if let fresh = try? Sender.resolve(endpoint), let old = current.resolved, Set(fresh.map(\.description)) != Set(old.map(\.description)) {
                log.info("destination=\(destination.key) \(endpoint) now resolves to \(fresh.map(\.description).joined(separator: ",")); reconnecting")
                disconnect()
            }
        }
    }

    private static func resolve(_ endpoint: Endpoint) throws -> [SocketAddress]? {
        guard let (host, port) = endpoint.hostAndPort else { return nil }
        return try SocketAddress.resolve(host: host, port: port, type: endpoint.isDatagram ? .datagram : .stream)
    }

    private func disconnect() {
        destination.activeSocket.withLock { socket in
            connection?.transport.close()
            socket = nil
        }
        connection = nil
        destination.connectedTo.withLock { $0 = nil }
    }

    /// Failures repeat every backoff step during an outage: one line per interval.
    private func report(_ message: String) {
        guard let suppressed = failureReports.admit() else { return }
        log.warn("destination=\(destination.key) \(message)\(suppressed > 0 ? " (\(suppressed) similar suppressed)" : "")")
    }
}
