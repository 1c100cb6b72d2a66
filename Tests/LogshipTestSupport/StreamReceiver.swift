import LogshipSystem
import Synchronization

/// A TCP listener on loopback that records every byte it receives, over all its
/// connections: the far end of a destination, for tests that go through the kernel
/// rather than a mock.
public final class StreamReceiver: @unchecked Sendable {
    public let port: UInt16
    private let listener: Socket
    private let received = Mutex<[UInt8]>([])
    private let state = Mutex(State())

    private struct State {
        var connections: [Socket] = []
        /// The accept thread and one thread per connection, until each has finished.
        var runningThreads = 0
        var closed = false
    }

    /// - Parameter port: 0 for a port the kernel picks; a port given again (after the
    ///   receiver on it closed) makes "the receiver is back up".
    public init(port: UInt16 = 0) throws {
        listener = try Socket.listenTCP(host: "127.0.0.1", port: port)
        self.port = try listener.localAddress().port!
        state.withLock { $0.runningThreads = 1 }
        try spawnThread(name: "test-receiver") { [self] in acceptLoop() }
    }

    public var bytes: [UInt8] { received.withLock { $0 } }
    public var text: String { String(decoding: bytes, as: UTF8.self) }
    /// The complete lines so far, without their LFs.
    public var lines: [Substring] { text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() }
    /// Connections accepted so far, including closed ones.
    public var connectionCount: Int { state.withLock { $0.connections.count } }

    /// Closes the listener and every connection, like a receiver that exits, and
    /// returns once its threads have finished. Each connection is shut down before this
    /// returns, so its peer already has the FIN: a sender's next look at the connection
    /// sees the close.
    public func close() {
        let connections = state.withLock { state in
            state.closed = true
            return state.connections
        }
        listener.shutdown()
        for connection in connections { connection.shutdown() }
        _ = waitUntil { state.withLock { $0.runningThreads == 0 } }
        listener.close()
    }

    private func acceptLoop() {
        defer { state.withLock { $0.runningThreads -= 1 } }
        while let connection = try? listener.accept() {
            let admitted = state.withLock { state in
                guard !state.closed else { return false }
                state.connections.append(connection)
                state.runningThreads += 1
                return true
            }
            guard admitted else {
                connection.close()
                return
            }
            do {
                try spawnThread(name: "test-receiver-conn") { [self] in record(connection) }
            } catch {
                connection.close()
                state.withLock { $0.runningThreads -= 1 }
            }
        }
    }

    private func record(_ connection: Socket) {
        defer { state.withLock { $0.runningThreads -= 1 } }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { (try? connection.receive(into: $0)) ?? 0 }
            if n <= 0 { break }
            received.withLock { $0.append(contentsOf: buffer[0..<n]) }
        }
        connection.close()
    }
}
