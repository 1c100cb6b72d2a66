import LogshipSystem
import Synchronization

/// A TCP receiver on loopback that counts bytes and throws them away: the far end
/// of the benchmark's destination, cheap enough never to be the bottleneck.
final class LoopbackSink: @unchecked Sendable {
    let port: UInt16
    private let listener: Socket
    private let received = Atomic<Int>(0)

    init() throws {
        let address = try SocketAddress.resolve(host: "127.0.0.1", port: 0, type: .stream)[0]
        listener = try Socket.make(family: address.family, type: .stream)
        try listener.bind(to: address)
        try listener.listen()
        port = try listener.localAddress().port!
        try spawnThread(name: "bench-sink") { [self] in
            while let client = try? listener.accept() {
                try? spawnThread(name: "bench-sink-conn") { [self] in
                    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
                    defer { buffer.deallocate() }
                    while let n = try? client.receive(into: buffer), n > 0 {
                        received.wrappingAdd(n, ordering: .relaxed)
                    }
                }
            }
        }
    }

    var bytes: Int { received.load(ordering: .acquiring) }

    /// Spins (with short sleeps) until `total` bytes have arrived.
    func wait(forBytes total: Int) {
        while bytes < total { sleep(nanoseconds: 100_000) }
    }
}
