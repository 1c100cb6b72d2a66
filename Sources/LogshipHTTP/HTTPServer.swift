// The LogshipHTTP module: an HTTP/1.1 server on a listening socket (keep-alive, chunked
// bodies, limits and timeouts), as the Docker daemon and Prometheus speak it.

import Glibc
import LogshipSystem
import Synchronization

/// An HTTP/1.1 server on an already listening socket, one thread per connection.
///
/// The Docker daemon keeps a handful of keep-alive connections to a plugin and calls
/// it rarely, so threads are simple and cheap enough; `maxConnections` bounds them.
public final class HTTPServer: @unchecked Sendable {
    private let listener: Socket
    private let limits: HTTPServerLimits
    private let log: @Sendable (String) -> Void
    private let handler: @Sendable (HTTPRequest) -> HTTPResponse

    private let openConnections = Mutex<[Int: HTTPConnectionHandle]>([:])
    private let connectionsAccepted = Atomic<Int>(0)
    /// Guards `state`, and wakes `stop()` when the accept loop has finished.
    private let stateLock = ConditionLock()
    private var state: State = .idle

    private enum State {
        case idle
        case running(StopSignal)
        case stopping
        case stopped
    }

    public init(
        socket: Socket,
        limits: HTTPServerLimits = HTTPServerLimits(),
        log: @escaping @Sendable (String) -> Void,
        handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse
    ) {
        self.listener = socket
        self.limits = limits
        self.log = log
        self.handler = handler
    }

    /// Connections being served right now.
    public var connectionCount: Int { openConnections.withLock { $0.count } }

    /// Connections waiting for a request (the ones room can be made from).
    var idleConnectionCount: Int { openConnections.withLock { $0.values.filter { $0.idleSince != nil }.count } }

    /// Starts the accept thread and returns. Calling it again does nothing.
    public func start() throws {
        try stateLock.withLock {
            guard case .idle = state else { return }
            let stopSignal = try StopSignal()
            try spawnThread(name: "http-accept") { [self] in
                acceptLoop(stopSignal: stopSignal)
            }
            state = .running(stopSignal)
        }
    }

    /// Stops accepting and closes the listening socket before returning. Idle
    /// connections close at once; a request being handled finishes and is answered
    /// with `Connection: close`.
    public func stop() {
        stateLock.withLock {
            switch state {
            case .idle:
                listener.close()
                state = .stopped
            case .running(let stopSignal):
                state = .stopping
                stopSignal.trigger()
                while case .stopping = state { stateLock.wait() }
            case .stopping:
                while case .stopping = state { stateLock.wait() }
            case .stopped:
                break
            }
        }
    }

    private func acceptLoop(stopSignal: StopSignal) {
        var lastFailure: Int32 = 0
        while !stopSignal.isTriggered {
            do {
                guard let ready = try FileDescriptor.wait([(listener.descriptor, .readable), (stopSignal.descriptor, .readable)], until: nil),
                      ready[0], !ready[1] else { continue }
                let connection = try listener.accept()
                lastFailure = 0
                admit(connection, stopSignal: stopSignal)
            } catch {
                // A peer that gave up before accept is routine; running out of
                // descriptors is not, but retrying at once would spin, and logging
                // each retry would flood the log.
                let code = (error as? SystemError)?.errno ?? -1
                if code == ECONNABORTED { continue }
                if code != lastFailure { log("http: \(error)") }
                lastFailure = code
                LogshipSystem.sleep(nanoseconds: 100_000_000)
            }
        }
        listener.close()
        log("http: stopped accepting connections")
        stateLock.withLock {
            state = .stopped
            stateLock.broadcast()
        }
    }

    private func admit(_ socket: Socket, stopSignal: StopSignal) {
        let number = connectionsAccepted.wrappingAdd(1, ordering: .relaxed).newValue
        let handle = HTTPConnectionHandle(socket: socket)
        let admitted = openConnections.withLock { open -> Bool in
            if open.count >= limits.maxConnections {
                // Room is made by closing the connection idle longest: a client that
                // holds connections open without using them cannot lock others out.
                guard let idlest = open.values.compactMap({ h in h.idleSince.map { (h, $0) } }).min(by: { $0.1 < $1.1 })?.0,
                      idlest.closeIfIdle() else { return false }
            }
            open[number] = handle
            return true
        }
        guard admitted else {
            log("http: refused a connection: \(limits.maxConnections) already open and busy")
            refuse(socket)
            return
        }
        let connection = HTTPConnection(handle: handle, name: "connection \(number)", limits: limits,
                                        stopSignal: stopSignal, log: log, handler: handler)
        do {
            try spawnThread(name: "http-\(number)") { [self] in
                connection.run()
                openConnections.withLock { _ = $0.removeValue(forKey: number) }
            }
        } catch {
            openConnections.withLock { _ = $0.removeValue(forKey: number) }
            log("http: refused a connection: \(error)")
            refuse(socket)
        }
    }

    /// Answers 503 from the accept thread, with a short send timeout so that a client
    /// that does not read cannot stall accepting.
    private func refuse(_ socket: Socket) {
        defer { socket.close() }
        try? socket.setSendTimeout(milliseconds: 1000)
        let response = HTTPResponse.error(503, "too many connections")
        var bytes = response.head(closing: true, keepAliveForHTTP10: false)
        bytes.append(contentsOf: response.body)
        try? bytes.withUnsafeBytes { try socket.sendAll($0) }
    }
}
