import LogshipDestinations
import Glibc
import LogshipSystem
import LogshipTestSupport
import Testing
@testable import LogshipDelivery

private func send(_ lines: [String], to destination: Destination) {
    var b = batch(lines)
    #expect(destination.enqueue(&b))
}

@Suite(.serialized) struct SenderTests {
    @Test func deliversInOrderOverTCP() throws {
        let receiver = try StreamReceiver()
        defer { receiver.close() }
        try withDestinationRegistry { registry in
            let destination = try registry.acquire(.tcp(host: "127.0.0.1", port: receiver.port))
            let lines = (0..<5000).map { "line \($0)\n" }
            for chunk in stride(from: 0, to: lines.count, by: 100) { send(Array(lines[chunk..<(chunk + 100)]), to: destination) }
            #expect(waitUntil { receiver.bytes.count == lines.joined().utf8.count })
            #expect(receiver.text == lines.joined())
            #expect(destination.stats.sentMessages == 5000)
            #expect(receiver.connectionCount == 1)
            registry.release(destination)
        }
    }

    @Test func sharedByTwoStreamsOneConnection() throws {
        let receiver = try StreamReceiver()
        defer { receiver.close() }
        try withDestinationRegistry { registry in
            let endpoint = Endpoint.tcp(host: "127.0.0.1", port: receiver.port)
            let a = try registry.acquire(endpoint)
            let b = try registry.acquire(endpoint)
            #expect(a === b)
            send(["a\n"], to: a)
            send(["b\n"], to: b)
            #expect(waitUntil { receiver.text == "a\nb\n" })
            #expect(receiver.connectionCount == 1)
            registry.release(a)
            registry.release(b)
        }
    }

    /// Messages queued while the receiver is down wait for it: the connect is refused,
    /// and retried until the receiver is up.
    @Test func receiverDownAtFirstThenUp() throws {
        let port = try unusedPort()
        try withCapturedLog(minimumLevel: .warn) { log in
            try withDestinationRegistry(log: log.sink) { registry in
                let destination = try registry.acquire(.tcp(host: "127.0.0.1", port: port))
                send(["early 1\n", "early 2\n"], to: destination)
                // The receiver comes up only once a connect was refused: the messages did wait.
                #expect(waitUntil { log.contains("cannot connect (tcp://127.0.0.1:\(port): ") }, "\(log.lines)")
                #expect(destination.stats.connects == 0)
                let receiver = try StreamReceiver(port: port)
                defer { receiver.close() }
                send(["later\n"], to: destination)
                #expect(waitUntil { receiver.text == "early 1\nearly 2\nlater\n" })
                registry.release(destination)
            }
        }
    }

    /// A receiver that closed the connection is noticed before the next write, which
    /// would otherwise succeed locally and be lost: "two" reaches the receiver that
    /// replaced it.
    @Test func peerThatClosedIsNoticedBeforeWriting() throws {
        let receiver = try StreamReceiver()
        let port = receiver.port
        try withDestinationRegistry { registry in
            let destination = try registry.acquire(.tcp(host: "127.0.0.1", port: port))
            send(["one\n"], to: destination)
            #expect(waitUntil { receiver.text == "one\n" })
            receiver.close()  // returns with the FIN sent: the sender's next look sees the close
            let second = try StreamReceiver(port: port)
            defer { second.close() }
            send(["two\n"], to: destination)
            #expect(waitUntil { second.text == "two\n" })
            registry.release(destination)
        }
    }

    @Test func datagramsOverUDPAndUnix() throws {
        let udp = try DatagramReceiver(address: try SocketAddress.resolve(host: "127.0.0.1", port: 0, type: .datagram)[0])
        defer { udp.close() }
        let path = "/tmp/logship-test-\(getpid()).sock"
        unlink(path)
        defer { unlink(path) }
        let unix = try DatagramReceiver(address: try SocketAddress(unixPath: path))
        defer { unix.close() }
        let udpPort = try #require(udp.port)
        try withDestinationRegistry { registry in
            for endpoint in [Endpoint.udp(host: "127.0.0.1", port: udpPort), .unixDatagram(path: path)] {
                let destination = try registry.acquire(endpoint)
                send(["<30>x\n", "<27>y\n"], to: destination)
                registry.release(destination)
            }
            #expect(waitUntil { udp.received.count >= 2 })
            #expect(waitUntil { unix.received.count >= 2 })
        }
        #expect(udp.received == ["<30>x\n", "<27>y\n"])
        #expect(unix.received == ["<30>x\n", "<27>y\n"])
    }

    @Test func releasedDestinationDrainsItsQueueThenRetires() throws {
        let port = try unusedPort()
        try withDestinationRegistry { registry in
            let destination = try registry.acquire(.tcp(host: "127.0.0.1", port: port))
            send(["tail 1\n", "tail 2\n"], to: destination)
            registry.release(destination)
            // No stream holds it any more, but its messages are still owed to the receiver.
            #expect(holdsThroughout(seconds: 0.3) { registry.liveCount == 1 })
            let receiver = try StreamReceiver(port: port)
            defer { receiver.close() }
            #expect(waitUntil { receiver.text == "tail 1\ntail 2\n" })
            #expect(waitUntil { registry.liveCount == 0 })
            // Its final counters stay visible for a while.
            let final = registry.allStats
            #expect(final.count == 1 && final[0].sentMessages == 2 && final[0].queue.pendingMessages == 0 && final[0].connectedTo == nil)
        }
    }

    @Test func shutdownStopsWithinTheDeadlineWhenTheReceiverIsDown() throws {
        let port = try unusedPort()
        try withDestinationRegistry { registry in
            let destination = try registry.acquire(.tcp(host: "127.0.0.1", port: port))
            send(["never\n"], to: destination)
            let start = MonotonicClock.now()
            registry.shutdown(deadline: start + 300_000_000)
            let elapsed = MonotonicClock.now() - start
            // A sender that slept out its backoff instead of seeing the shutdown would be
            // given up on only 2 s past the deadline, and still be running.
            #expect(elapsed < 1_300_000_000)
            #expect(registry.liveCount == 0, "the sender exited")
            #expect(destination.stats.queue.pendingMessages == 1)
        }
    }
}
