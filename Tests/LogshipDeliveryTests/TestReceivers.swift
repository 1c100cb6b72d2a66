import Glibc
import LogshipSystem
import Synchronization

/// A real TCP (or unix stream) listener on loopback that records every byte, for
/// exercising senders against the kernel rather than a mock.
final class StreamReceiver: @unchecked Sendable {
    let socket: Socket
    let port: UInt16
    private let received = Mutex<[UInt8]>([])
    private let connections = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)
    private let clients = Mutex<[Socket]>([])

    init(port: UInt16 = 0) throws {
        let address = try SocketAddress.resolve(host: "127.0.0.1", port: port, type: .stream)[0]
        socket = try Socket.make(family: address.family, type: .stream)
        try socket.setReuseAddress()
        try socket.bind(to: address)
        try socket.listen()
        let description = try socket.localAddress().description
        self.port = UInt16(description.split(separator: ":").last!)!
        try spawnThread(name: "test-recv") { [self] in acceptLoop() }
    }

    var bytes: [UInt8] { received.withLock { $0 } }
    var text: String { String(decoding: bytes, as: UTF8.self) }
    var connectionCount: Int { connections.load(ordering: .relaxed) }

    /// Waits (polling, bounded) until `predicate` holds for what has arrived.
    func waitFor(seconds: Double = 10, _ predicate: (String) -> Bool) -> Bool {
        let deadline = MonotonicClock.now() + Int64(seconds * 1e9)
        while MonotonicClock.now() < deadline {
            if predicate(text) { return true }
            sleep(nanoseconds: 10_000_000)
        }
        return predicate(text)
    }

    /// Closes the listener and every accepted connection, like a receiver that exits.
    func close() {
        stopped.store(true, ordering: .relaxed)
        Glibc.shutdown(socket.descriptor.rawValue, Int32(SHUT_RDWR))
        socket.close()
        for client in clients.withLock({ $0 }) { Glibc.shutdown(client.descriptor.rawValue, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .relaxed) {
            guard let client = try? socket.accept() else { return }
            connections.add(1, ordering: .relaxed)
            clients.withLock { $0.append(client) }
            try? spawnThread(name: "test-conn") { [self] in
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let n = buffer.withUnsafeMutableBytes { (try? client.receive(into: $0)) ?? 0 }
                    if n <= 0 { break }
                    received.withLock { $0.append(contentsOf: buffer[0..<n]) }
                }
                client.close()
            }
        }
    }
}

/// A UDP or unix datagram receiver that records each datagram.
final class DatagramReceiver: @unchecked Sendable {
    let socket: Socket
    private let datagrams = Mutex<[String]>([])

    init(address: SocketAddress) throws {
        socket = try Socket.make(family: address.family, type: .datagram)
        try socket.bind(to: address)
        try spawnThread(name: "test-dgram") { [self] in
            var buffer = [UInt8](repeating: 0, count: 70000)
            while true {
                let n = buffer.withUnsafeMutableBytes { (try? socket.receive(into: $0)) ?? -1 }
                if n < 0 { return }
                datagrams.withLock { $0.append(String(decoding: buffer[0..<n], as: UTF8.self)) }
            }
        }
    }

    var received: [String] { datagrams.withLock { $0 } }

    func waitFor(count: Int, seconds: Double = 10) -> Bool {
        let deadline = MonotonicClock.now() + Int64(seconds * 1e9)
        while MonotonicClock.now() < deadline {
            if received.count >= count { return true }
            sleep(nanoseconds: 10_000_000)
        }
        return false
    }
}

/// A port that nothing listens on (bound, then closed).
func unusedPort() throws -> UInt16 {
    let probe = try StreamReceiver()
    let port = probe.port
    probe.close()
    return port
}
