import LogshipDestinations
import Glibc
import LogshipSystem
import Testing
@testable import LogshipDelivery

private let quietLog = LogSink(minimumLevel: .error)

private func send(_ lines: [String], to destination: Destination) {
    var b = batch(lines)
    destination.enqueue(&b)
}

@Suite(.serialized) struct SenderTests {
    @Test func deliversInOrderOverTCP() throws {
        let receiver = try StreamReceiver()
        defer { receiver.close() }
        let registry = DestinationRegistry(queueCapacityBytes: 1 << 20, log: quietLog)
        let destination = try registry.acquire(.tcp(host: "127.0.0.1", port: receiver.port))
        let lines = (0..<5000).map { "line \($0)\n" }
        for chunk in stride(from: 0, to: lines.count, by: 100) { send(Array(lines[chunk..<(chunk + 100)]), to: destination) }
        #expect(receiver.waitFor { $0.utf8.count == lines.joined().utf8.count })
        #expect(receiver.text == lines.joined())
        #expect(destination.stats.sentMessages == 5000)
        #expect(receiver.connectionCount == 1)
        registry.release(destination)
    }

    @Test func sharedByTwoStreamsOneConnection() throws {
        let receiver = try StreamReceiver()
        defer { receiver.close() }
        let registry = DestinationRegistry(queueCapacityBytes: 1 << 20, log: quietLog)
        let endpoint = Endpoint.tcp(host: "127.0.0.1", port: receiver.port)
        let a = try registry.acquire(endpoint)
        let b = try registry.acquire(endpoint)
        #expect(a === b)
        send(["a\n"], to: a)
        send(["b\n"], to: b)
        #expect(receiver.waitFor { $0 == "a\nb\n" })
        #expect(receiver.connectionCount == 1)
        registry.release(a)
        registry.release(b)
    }

    @Test func receiverDownAtFirstThenUp() throws {
        let port = try unusedPort()
        let registry = DestinationRegistry(queueCapacityBytes: 1 << 20, log: quietLog)
        let destination = try registry.acquire(.tcp(host: "127.0.0.1", port: port))
        send(["early 1\n", "early 2\n"], to: destination)
        sleep(nanoseconds: 300_000_000)
        let receiver = try StreamReceiver(port: port)
        defer { receiver.close() }
        send(["later\n"], to: destination)
        #expect(receiver.waitFor { $0 == "early 1\nearly 2\nlater\n" })
        registry.release(destination)
    }

    @Test func peerThatClosedIsNoticedBeforeWriting() throws {
        let receiver = try StreamReceiver()
        let port = receiver.port
        let registry = DestinationRegistry(queueCapacityBytes: 1 << 20, log: quietLog)
        let destination = try registry.acquire(.tcp(host: "127.0.0.1", port: port))
        send(["one\n"], to: destination)
        #expect(receiver.waitFor { $0 == "one\n" })
        receiver.close()
        // Wait until the sender's connection sees the close, then bring a new receiver up.
        sleep(nanoseconds: 200_000_000)
        let second = try StreamReceiver(port: port)
        defer { second.close() }
        send(["two\n"], to: destination)
        #expect(second.waitFor { $0 == "two\n" })
        registry.release(destination)
    }

    @Test func datagramsOverUDPAndUnix() throws {
        let udpAddress = try SocketAddress.resolve(host: "127.0.0.1", port: 0, type: .datagram)[0]
        let udp = try DatagramReceiver(address: udpAddress)
        let udpPort = UInt16(try udp.socket.localAddress().description.split(separator: ":").last!)!
        let path = "/tmp/logship-test-\(getpid()).sock"
        unlink(path)
        defer { unlink(path) }
        let unix = try DatagramReceiver(address: try SocketAddress(unixPath: path))
        let registry = DestinationRegistry(queueCapacityBytes: 1 << 20, log: quietLog)
        for endpoint in [Endpoint.udp(host: "127.0.0.1", port: udpPort), .unixDatagram(path: path)] {
            let destination = try registry.acquire(endpoint)
            send(["<30>x\n", "<27>y\n"], to: destination)
            registry.release(destination)
        }
        #expect(udp.waitFor(count: 2))
        #expect(unix.waitFor(count: 2))
        #expect(udp.received == ["<30>x\n", "<27>y\n"])
        #expect(unix.received == ["<30>x\n", "<27>y\n"])
    }

    @Test func releasedDestinationDrainsItsQueueThenRetires() throws {
        let port = try unusedPort()
        let registry = DestinationRegistry(queueCapacityBytes: 1 << 20, log: quietLog)
        let destination = try registry.acquire(.tcp(host: "127.0.0.1", port: port))
        send(["tail 1\n", "tail 2\n"], to: destination)
        registry.release(destination)
        // No stream holds it any more, but its messages are still owed to the receiver.
        sleep(nanoseconds: 300_000_000)
        #expect(registry.allStats.count == 1)
        let receiver = try StreamReceiver(port: port)
        defer { receiver.close() }
        #expect(receiver.waitFor { $0 == "tail 1\ntail 2\n" })
        let deadline = MonotonicClock.now() + 5_000_000_000
        while registry.liveCount > 0 && MonotonicClock.now() < deadline { sleep(nanoseconds: 10_000_000) }
        #expect(registry.liveCount == 0)
        // Its final counters stay visible for a while.
        let final = registry.allStats
        #expect(final.count == 1 && final[0].sentMessages == 2 && final[0].queue.pendingMessages == 0 && final[0].connectedTo == nil)
    }

    @Test func shutdownStopsWithinTheDeadlineWhenTheReceiverIsDown() throws {
        let port = try unusedPort()
        let registry = DestinationRegistry(queueCapacityBytes: 1 << 20, log: quietLog)
        let destination = try registry.acquire(.tcp(host: "127.0.0.1", port: port))
        send(["never\n"], to: destination)
        let start = MonotonicClock.now()
        registry.shutdown(deadline: start + 300_000_000)
        let elapsed = MonotonicClock.now() - start
        #expect(elapsed < 6_000_000_000)
        #expect(destination.stats.queue.pendingMessages == 1)
    }
}
