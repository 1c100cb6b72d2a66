import Glibc
import LogshipSystem
import Synchronization

/// A loopback TCP listener that records everything it receives.
public final class LineReceiver: @unchecked Sendable {
    public let port: UInt16
    private let listener: Socket
    private let data = Mutex<[UInt8]>([])

    public init() throws {
        let address = try SocketAddress.resolve(host: "127.0.0.1", port: 0, type: .stream)[0]
        listener = try Socket.make(family: address.family, type: .stream)
        try listener.bind(to: address)
        try listener.listen()
        port = UInt16(try listener.localAddress().description.split(separator: ":").last!)!
        try spawnThread(name: "line-receiver") { [self] in
            while let client = try? listener.accept() {
                try? spawnThread(name: "line-conn") { [self] in
                    var buffer = [UInt8](repeating: 0, count: 65536)
                    while true {
                        let n = buffer.withUnsafeMutableBytes { (try? client.receive(into: $0)) ?? 0 }
                        if n <= 0 { break }
                        data.withLock { $0.append(contentsOf: buffer[0..<n]) }
                    }
                    client.close()
                }
            }
        }
    }

    public var text: String { String(decoding: data.withLock { $0 }, as: UTF8.self) }
    public var lines: [Substring] { text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() }

    public func waitForLines(_ count: Int, seconds: Double = 10) -> Bool {
        let deadline = MonotonicClock.now() + Int64(seconds * 1e9)
        while MonotonicClock.now() < deadline {
            if lines.count >= count { return true }
            sleep(nanoseconds: 5_000_000)
        }
        return lines.count >= count
    }

    public func close() {
        Glibc.shutdown(listener.descriptor.rawValue, Int32(SHUT_RDWR))
        listener.close()
    }
}
