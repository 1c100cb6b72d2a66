import LogshipSystem
import Synchronization

/// A UDP or unix datagram socket that records each datagram it receives.
public final class DatagramReceiver: @unchecked Sendable {
    private let socket: Socket
    private let datagrams = Mutex<[String]>([])
    private let state = Mutex((running: true, closed: false))

    public init(address: SocketAddress) throws {
        socket = try Socket.make(family: address.family, type: .datagram)
        try socket.bind(to: address)
        try spawnThread(name: "test-datagrams") { [self] in receiveLoop() }
    }

    public var received: [String] { datagrams.withLock { $0 } }

    /// The bound port (the kernel's choice for port 0); nil for a unix socket.
    public var port: UInt16? { try? socket.localAddress().port }

    /// Stops receiving and closes the socket once the receiving thread has finished.
    public func close() {
        state.withLock { $0.closed = true }
        socket.shutdown()  // wakes the blocked receive, even on an unconnected socket
        _ = waitUntil { !state.withLock { $0.running } }
        socket.close()
    }

    private func receiveLoop() {
        defer { state.withLock { $0.running = false } }
        var buffer = [UInt8](repeating: 0, count: 70000)
        while true {
            let n = buffer.withUnsafeMutableBytes { (try? socket.receive(into: $0)) ?? -1 }
            // After a shutdown a receive returns 0, which is also an empty datagram.
            if n < 0 || state.withLock({ $0.closed }) { return }
            datagrams.withLock { $0.append(String(decoding: buffer[0..<n], as: UTF8.self)) }
        }
    }
}
