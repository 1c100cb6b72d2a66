import LogshipDestinations
import LogshipSystem
import LogshipTestSupport
import Testing
@testable import LogshipDelivery

private func numbered(_ count: Int, from first: Int = 1) -> [String] {
    (first..<(first + count)).map { "<30>1 - h app - - - line \($0)" }
}

/// A RELP session to `server` through the transport factory, as a sender opens it.
private func connect(_ server: RELPTestServer, window: Int = RELPSettings.defaultWindow, answerTimeoutMilliseconds: Int = 30_000,
                     counters: AcknowledgementCounters = AcknowledgementCounters()) throws -> Transport {
    var settings = ConnectionSettings()
    settings.sendTimeoutMilliseconds = answerTimeoutMilliseconds
    return try TransportFactory.connect(.relp(host: "127.0.0.1", port: server.port, settings: RELPSettings(window: window)),
                                        settings: settings, acknowledgements: counters)
}

private func sendFailure(_ transport: Transport, _ lines: [String]) -> SendFailure? {
    do {
        try transport.send(batch(lines))
        return nil
    } catch {
        return error
    }
}

@Suite(.serialized) struct RELPSessionTests {
    /// Commands are pipelined: up to the window's worth wait for answers at once, never
    /// more (a server that holds its answers until 8 wait sees exactly 8), and the
    /// session opens with the offers and numbers every command in order.
    @Test func pipelinesWithinTheWindow() throws {
        let server = try RELPTestServer(answersInGroupsOf: 8)
        defer { server.close() }
        let counters = AcknowledgementCounters()
        let transport = try connect(server, window: 8, counters: counters)
        try transport.send(batch(numbered(100)))
        #expect(server.mostUnanswered == 8)
        #expect(server.syslogMessages == numbered(100))
        let commands = server.commands
        #expect(commands.first == RELPTestServer.Command(connection: 1, txnr: 1, name: "open",
                                                          data: "relp_version=0\nrelp_software=logship\ncommands=syslog"))
        #expect(commands.dropFirst().map(\.txnr) == Array(2...101))
        #expect(counters.acknowledged.load(ordering: .relaxed) == 100 && counters.inFlight.load(ordering: .relaxed) == 0)
        // The window stays per session across batches: the next batch goes on numbering.
        try transport.send(batch(numbered(3, from: 101)))
        #expect(server.commands.last?.txnr == 104)
        transport.close()
        #expect(waitUntil { server.commands.last?.name == "close" })
        #expect(server.commands.last?.txnr == 105)
    }

    /// A refusal stops the batch at the refused message: what came before it was
    /// acknowledged, it and everything after stay the caller's, and nothing written
    /// after it counts as delivered even if the server took it.
    @Test func aRefusalStopsAtTheRefusedMessage() throws {
        let server = try RELPTestServer { index, _ in index == 4 ? .status("500 disk full") : .status("200 OK") }
        defer { server.close() }
        let counters = AcknowledgementCounters()
        let transport = try connect(server, counters: counters)
        let failure = try #require(sendFailure(transport, numbered(10)))
        #expect(failure.sentMessages == 4 && failure.isRefusal)
        #expect(failure.reason == "the receiver refused a message: 500 disk full")
        #expect(failure.unacknowledgedWrites >= 1 && failure.unacknowledgedWrites <= 6)
        #expect(counters.acknowledged.load(ordering: .relaxed) == 4 && counters.refused.load(ordering: .relaxed) == 1)
        transport.close()
        #expect(waitUntil { server.commands.last?.name == "close" }, "a refusal leaves the session usable: it ends with close")
    }

    /// `serverclose` (rsyslog stopping) ends the session: answers that came before it
    /// count, the rest is the caller's to resend elsewhere.
    @Test func serverCloseInTheMiddleOfABatch() throws {
        let server = try RELPTestServer { index, _ in index == 3 ? .serverClose : .status("200 OK") }
        defer { server.close() }
        let transport = try connect(server)
        let failure = try #require(sendFailure(transport, numbered(10)))
        #expect(failure.sentMessages == 3 && !failure.isRefusal)
        #expect(failure.reason == "the server closed the session (serverclose)")
        #expect(transport.peerHasClosed())
        transport.close()
    }

    /// A receiver that stops answering (killed with SIGSTOP, hung) holds the session
    /// only for the answer timeout; the messages are kept.
    @Test func aMissingAnswerEndsTheSessionAfterTheTimeout() throws {
        let server = try RELPTestServer { index, _ in index >= 2 ? .silence : .status("200 OK") }
        defer { server.close() }
        let counters = AcknowledgementCounters()
        let transport = try connect(server, answerTimeoutMilliseconds: 300, counters: counters)
        let started = MonotonicClock.now()
        let failure = try #require(sendFailure(transport, numbered(5)))
        let elapsed = MonotonicClock.now() - started
        #expect(failure.sentMessages == 2 && failure.unacknowledgedWrites == 3)
        #expect(failure.reason == "no answer from the receiver for 300 ms with 3 messages waiting")
        #expect(elapsed >= 300_000_000 && elapsed < 5_000_000_000)
        #expect(counters.inFlight.load(ordering: .relaxed) == 3 && counters.waitingSince.load(ordering: .relaxed) > 0)
        transport.close()
        #expect(counters.inFlight.load(ordering: .relaxed) == 0 && counters.waitingSince.load(ordering: .relaxed) == 0)
    }

    @Test func answersThatBreakTheProtocolEndTheSession() throws {
        for (raw, why) in [("9 rsp 6 200 OK\n", "an answer for transaction 9 where 2 was due"),
                           ("2 rsp 6 200 OK!", "not followed by LF"),
                           ("2 syslog 1 x\n", "the server sent a syslog command"),
                           ("2 rsp 2 OK\n", "three-digit status")] {
            let server = try RELPTestServer { _, _ in .raw(raw) }
            defer { server.close() }
            let transport = try connect(server)
            let failure = try #require(sendFailure(transport, numbered(2)))
            #expect(failure.sentMessages == 0 && failure.reason.contains("protocol error") && failure.reason.contains(why), "\(raw.debugDescription): \(failure.reason)")
            transport.close()
        }
    }

    @Test func aSessionIsOpenOnlyOnceTheServerAcceptedItWithTheSyslogCommand() throws {
        for (answer, why) in [("500 required command not supported by client", "the server refused the RELP session: 500 required command not supported by client"),
                              ("200 OK\nrelp_version=0\ncommands=eventlog", "cannot use the RELP session: the server does not offer the syslog command (its commands: eventlog)"),
                              ("200 OK\ncommands=syslog", "cannot use the RELP session: the server's answer to open has no relp_version offer")] {
            let server = try RELPTestServer(openAnswer: answer)
            defer { server.close() }
            #expect(throws: RELPSessionError(why)) { try connect(server) }
        }
    }

    /// Between batches the sender asks whether the server is going away, so that no
    /// batch is written into a session that rsyslog is closing.
    @Test func aServerCloseBetweenBatchesIsNoticedBeforeWriting() throws {
        let server = try RELPTestServer { index, _ in index == 0 ? .raw("2 rsp 6 200 OK\n0 serverclose 0\n") : .status("200 OK") }
        defer { server.close() }
        let transport = try connect(server)
        try transport.send(batch(numbered(1)))
        #expect(waitUntil { transport.peerHasClosed() })
        transport.close()
    }
}

/// A server in the test's hands: it answers every command written so far with a 200 when
/// the session waits, and records how many bytes each wait asked for and how many the
/// answers due then took.
private final class AnsweringStream: RELPByteStream {
    private var commands = RELPFrameParser()
    private var due: [UInt8] = []
    private var readable: [UInt8] = []
    private(set) var waits: [(asked: Int, due: Int)] = []

    func write(_ bytes: UnsafeRawBufferPointer, stallMilliseconds: Int) -> String? {
        commands.append(bytes)
        while case let .frame(frame) = commands.next() {
            let text = frame.command == "open" ? "200 OK\nrelp_version=0\ncommands=syslog" : "200 OK"
            due += Array("\(frame.txnr) rsp \(text.utf8.count) \(text)\n".utf8)
        }
        return nil
    }

    func readAvailable(into buffer: UnsafeMutableRawBufferPointer) -> StreamRead {
        guard !readable.isEmpty else { return .nothingYet }
        let count = min(buffer.count, readable.count)
        readable.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        readable.removeFirst(count)
        return .bytes(count)
    }

    func waitForBytes(until deadline: Int64, atLeast bytes: Int) -> Bool {
        waits.append((bytes, due.count + readable.count))
        readable += due
        due.removeAll()
        return true
    }

    func close() {}
}

@Suite struct RELPSessionWaitTests {
    /// The session waits for the answers that free a refill's worth of its window, not
    /// for the first byte (a wake-up per answer cost more than the messages), and never
    /// for more than the answers due can take.
    @Test func waitsForARefillsWorthOfAnswers() throws {
        let stream = AnsweringStream()
        let session = RELPSession(stream: stream, window: 128, answerTimeoutMilliseconds: 1000, stallMilliseconds: 1000,
                                  counters: AcknowledgementCounters())
        try session.open(until: MonotonicClock.now() + 1_000_000_000)
        try session.send(batch(numbered(1000)))
        let waits = stream.waits.dropFirst()  // open's
        #expect(!waits.isEmpty && waits.allSatisfy { $0.asked <= $0.due }, "\(waits)")
        // Window 128, refilled 64 at a time: a wait is for 64 answers ("N rsp 3 200" and LF at least).
        #expect(waits.dropLast().allSatisfy { $0.asked >= 64 * 12 }, "\(waits)")
    }

    /// Below a window of 128 the waits pace the answers more than they save (see
    /// `RELPSession.waitForAnswers`): a wait ends at the first byte.
    @Test func aSmallWindowWaitsForTheFirstByte() throws {
        let stream = AnsweringStream()
        let session = RELPSession(stream: stream, window: 16, answerTimeoutMilliseconds: 1000, stallMilliseconds: 1000,
                                  counters: AcknowledgementCounters())
        try session.open(until: MonotonicClock.now() + 1_000_000_000)
        try session.send(batch(numbered(100)))
        #expect(stream.waits.count > 1 && stream.waits.allSatisfy { $0.asked == 1 }, "\(stream.waits)")
    }
}

extension RELPSessionError: Equatable {
    public static func == (a: RELPSessionError, b: RELPSessionError) -> Bool { a.description == b.description }
}
