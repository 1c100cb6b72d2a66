import LogshipSystem
import Synchronization

/// Serves one client connection on its own thread: reads requests, hands each to the
/// handler and writes its response, until the client closes, a limit is hit or the
/// server stops.
struct HTTPConnection {
    let handle: HTTPConnectionHandle
    var socket: Socket { handle.socket }
    let name: String
    let limits: HTTPServerLimits
    let stopSignal: StopSignal
    let log: @Sendable (String) -> Void
    let handler: @Sendable (HTTPRequest) -> HTTPResponse

    static let readBufferBytes = 64 * 1024

    func run() {
        defer { handle.close() }
        do {
            try socket.setSendTimeout(milliseconds: limits.sendTimeoutMilliseconds)
        } catch {
            log("http: \(name): \(error)")
            return
        }
        let readBuffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.readBufferBytes, alignment: 1)
        defer { readBuffer.deallocate() }
        var parser = HTTPRequestParser(limits: limits)
        var idleSince = MonotonicClock.now()
        var requestStartedAt: Int64?

        while true {
            // Answer everything already received before reading again: a client may
            // pipeline several requests into one write.
            switch parser.nextRequest() {
            case .request(let request):
                guard respond(to: request) else { return }
                idleSince = MonotonicClock.now()
                requestStartedAt = parser.hasPartialRequest ? idleSince : nil
                continue
            case .failure(let error):
                log("http: \(name): answered \(error.status): \(error.reason)")
                send(.error(error.status, error.reason), closing: true)
                return
            case .needMoreData:
                requestStartedAt = parser.hasPartialRequest ? requestStartedAt ?? MonotonicClock.now() : nil
            }

            handle.setIdle(requestStartedAt == nil ? idleSince : nil)
            let deadline = requestStartedAt.map { $0 + Int64(limits.requestTimeoutMilliseconds) * 1_000_000 }
                ?? idleSince + Int64(limits.idleTimeoutMilliseconds) * 1_000_000
            switch waitForBytes(until: deadline) {
            case .readable:
                break
            case .timedOut:
                if requestStartedAt != nil {
                    log("http: \(name): answered 408: request not complete after \(limits.requestTimeoutMilliseconds) ms")
                    send(.error(408, "request not received in time"), closing: true)
                }
                return
            case .stopping:
                if requestStartedAt != nil { log("http: \(name): closed mid-request because the server is stopping") }
                return
            case .failed(let error):
                log("http: \(name): \(error)")
                return
            }

            handle.setIdle(nil)
            let count: Int
            do {
                count = try socket.receive(into: readBuffer)
            } catch {
                log("http: \(name): \(error)")
                return
            }
            guard count > 0 else {
                if requestStartedAt != nil { log("http: \(name): client closed the connection mid-request") }
                return
            }
            parser.append(UnsafeRawBufferPointer(rebasing: readBuffer[0..<count]))
        }
    }

    private enum WaitOutcome {
        case readable, timedOut, stopping, failed(Error)
    }

    /// Waits for the socket to become readable, the deadline to pass or the server to
    /// stop. Bytes already waiting are read even while stopping, so a request that is
    /// arriving can still complete.
    private func waitForBytes(until deadline: Int64) -> WaitOutcome {
        do {
            guard let ready = try FileDescriptor.wait([(socket.descriptor, .readable), (stopSignal.descriptor, .readable)], until: deadline) else {
                return .timedOut
            }
            return ready[0] ? .readable : .stopping
        } catch {
            return .failed(error)
        }
    }

    /// Runs the handler and writes its response; false when the connection is to be
    /// closed, because the client or the server wants it or it is unusable.
    private func respond(to request: HTTPRequest) -> Bool {
        let response = handler(request)
        // Decided after the handler: a stop that arrived meanwhile closes the connection.
        let keepOpen = request.keepsConnectionOpen && !stopSignal.isTriggered
        return send(response, closing: !keepOpen, keepAliveForHTTP10: request.isHTTP10) && keepOpen
    }

    @discardableResult
    private func send(_ response: HTTPResponse, closing: Bool, keepAliveForHTTP10: Bool = false) -> Bool {
        var bytes = response.head(closing: closing, keepAliveForHTTP10: keepAliveForHTTP10)
        bytes.append(contentsOf: response.body)
        do {
            try bytes.withUnsafeBytes { try socket.sendAll($0) }
            return true
        } catch {
            log("http: \(name): \(error)")
            return false
        }
    }
}

/// What the server knows of a connection's thread: whether it is idle between requests
/// (and since when), so that the accept thread can close the idlest one to make room.
/// The socket is shut down and closed under one lock, so a descriptor number that was
/// closed and reused is never touched.
final class HTTPConnectionHandle: @unchecked Sendable {
    let socket: Socket
    private struct State { var idleSince: Int64?; var closed = false }
    private let state = Mutex(State(idleSince: MonotonicClock.now()))

    init(socket: Socket) { self.socket = socket }

    var idleSince: Int64? { state.withLock { $0.closed ? nil : $0.idleSince } }

    func setIdle(_ since: Int64?) { state.withLock { $0.idleSince = since } }

    /// Ends the connection if it is idle: its thread wakes to an end of stream and exits.
    func closeIfIdle() -> Bool {
        state.withLock { s in
            guard !s.closed, s.idleSince != nil else { return false }
            socket.shutdown()
            return true
        }
    }

    func close() {
        state.withLock { s in
            guard !s.closed else { return }
            s.closed = true
            socket.close()
        }
    }
}
