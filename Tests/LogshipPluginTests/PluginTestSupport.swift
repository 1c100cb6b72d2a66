import Glibc
import LogshipConfig
import LogshipDelivery
import LogshipSystem
import Synchronization
@testable import LogshipPlugin

/// A LogEntry frame as the daemon writes it: [uint32 BE length][protobuf].
func dockerFrame(_ source: String, _ line: [UInt8], time: UInt64 = 1_700_000_000_123_456_789,
                 partial: (last: Bool, id: String, ordinal: Int)? = nil) -> [UInt8] {
    func varint(_ value: UInt64) -> [UInt8] {
        var v = value
        var out: [UInt8] = []
        repeat {
            let byte = UInt8(v & 0x7F)
            v >>= 7
            out.append(v == 0 ? byte : byte | 0x80)
        } while v != 0
        return out
    }
    func field(_ tag: UInt8, _ payload: [UInt8]) -> [UInt8] { [tag] + varint(UInt64(payload.count)) + payload }
    var body = field(0x0A, Array(source.utf8)) + [0x10] + varint(time)
    if !line.isEmpty { body += field(0x1A, line) }
    if let partial {
        body += [0x20, 0x01]
        var meta: [UInt8] = []
        if partial.last { meta += [0x08, 0x01] }
        meta += field(0x12, Array(partial.id.utf8)) + [0x18] + varint(UInt64(partial.ordinal))
        body += field(0x2A, meta)
    }
    let n = UInt32(body.count)
    return [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + body
}

/// A FIFO held open read-write the way the daemon holds it.
struct DaemonFIFO {
    let path: String
    let writer: FileDescriptor

    init(name: String = "fifo") throws {
        path = "/tmp/logship-plugin-test-\(getpid())-\(name)-\(MonotonicClock.now())"
        try FileDescriptor.makeFIFO(at: path)
        writer = try FileDescriptor.open(path, .readWrite)
    }

    func write(_ bytes: [UInt8]) throws { try writer.writeAll(bytes) }

    /// The daemon closes its end after StopLogging is answered, then unlinks the FIFO.
    func close() {
        writer.close()
        unlink(path)
    }
}

/// A loopback TCP listener that records everything it receives.
final class LineReceiver: @unchecked Sendable {
    let port: UInt16
    private let listener: Socket
    private let data = Mutex<[UInt8]>([])

    init() throws {
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

    var text: String { String(decoding: data.withLock { $0 }, as: UTF8.self) }
    var lines: [Substring] { text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() }

    func waitForLines(_ count: Int, seconds: Double = 10) -> Bool {
        let deadline = MonotonicClock.now() + Int64(seconds * 1e9)
        while MonotonicClock.now() < deadline {
            if lines.count >= count { return true }
            sleep(nanoseconds: 5_000_000)
        }
        return lines.count >= count
    }

    func close() {
        Glibc.shutdown(listener.descriptor.rawValue, Int32(SHUT_RDWR))
        listener.close()
    }
}

let testLog = LogSink(minimumLevel: .error)

func makeRegistry(environment: [String: String] = [:]) throws -> StreamRegistry {
    try StreamRegistry(resolver: OptionResolver(environment: environment, hostname: "testhost"),
                   destinations: DestinationRegistry(queueCapacityBytes: 4 << 20, log: testLog), log: testLog)
}

func containerInfo(_ options: [String: String]) -> ContainerInfo {
    ContainerInfo(config: options, containerID: String(repeating: "c0ffee", count: 10) + "abcd", containerName: "/app",
                  containerImageID: "sha256:" + String(repeating: "1", count: 64), containerImageName: "busybox")
}
