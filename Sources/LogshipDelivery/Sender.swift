import LogshipSystem

/// The one thread per destination that takes batches off the queue and writes
/// them, connecting and reconnecting as needed. Only this thread waits on the network.
final class Sender: @unchecked Sendable {
    private let destination: Destination
    private let settings: ConnectionSettings
    private let log: LogSink
    private let lifecycle: SenderLifecycle
    private var transport: Transport?
    private var backoff = Backoff()
    private let failureReports = RateLimiter()

    init(destination: Destination, settings: ConnectionSettings, log: LogSink, lifecycle: SenderLifecycle) {
        self.destination = destination
        self.settings = settings
        self.log = log
        self.lifecycle = lifecycle
    }

    func run() {
        var batch = MessageBatch()
        while true {
            if batch.isEmpty {
                let taken = destination.queue.dequeue(into: &batch, deadline: MonotonicClock.now() + 1_000_000_000)
                if !taken {
                    if lifecycle.shouldRetire(destination) { break }
                    continue
                }
            }
            deliver(&batch)
            if !batch.isEmpty && lifecycle.isPastShutdownDeadline {
                destination.queue.requeueFront(&batch)
                break
            }
        }
        transport?.close()
        destination.isConnected.store(false, ordering: .relaxed)
        lifecycle.senderExited(destination)
    }

    /// Sends `batch`, or as much of it as possible before a failure; what is left
    /// stays in `batch` for the next attempt.
    private func deliver(_ batch: inout MessageBatch) {
        guard let transport = connectedTransport() else {
            lifecycle.pause(nanoseconds: backoff.next())
            return
        }
        do {
            try transport.send(batch)
            destination.sentMessages.add(batch.count, ordering: .relaxed)
            destination.sentBytes.add(batch.bytes.count, ordering: .relaxed)
            batch.removeAll()
        } catch {
            destination.sentMessages.add(error.sentMessages, ordering: .relaxed)
            destination.sentBytes.add(error.sentMessages == 0 ? 0 : batch.ends[error.sentMessages - 1], ordering: .relaxed)
            destination.sendErrors.add(1, ordering: .relaxed)
            batch.removeFirst(messages: error.sentMessages)
            report("send to \(transport.peer) failed: \(error.reason); reconnecting with \(batch.count) messages to resend")
            disconnect()
        }
        for message in transport.takeUndeliverable() {
            log.error("destination=\(destination.endpoint) dropped a message that no retry can deliver: \(message)")
        }
    }

    private func connectedTransport() -> Transport? {
        if let transport {
            guard transport.peerHasClosed() else { return transport }
            report("\(transport.peer) closed the connection; reconnecting")
            disconnect()
        }
        do {
            let fresh = try TransportFactory.connect(destination.endpoint, settings: settings)
            transport = fresh
            backoff.reset()
            destination.connects.add(1, ordering: .relaxed)
            destination.isConnected.store(true, ordering: .relaxed)
            log.info("destination=\(destination.endpoint) connected")
            return fresh
        } catch {
            report("connect failed: \(error); \(destination.queue.currentStats.queuedMessages) messages queued, retrying")
            return nil
        }
    }

    private func disconnect() {
        transport?.close()
        transport = nil
        destination.isConnected.store(false, ordering: .relaxed)
    }

    /// Failures repeat every backoff step during an outage: one line per interval.
    private func report(_ message: String) {
        guard let suppressed = failureReports.admit() else { return }
        log.warn("destination=\(destination.endpoint) \(message)\(suppressed > 0 ? " (\(suppressed) similar suppressed)" : "")")
    }
}
