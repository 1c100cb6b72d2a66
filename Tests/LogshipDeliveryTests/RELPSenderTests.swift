import LogshipDestinations
import LogshipSystem
import LogshipTestSupport
import Testing
@testable import LogshipDelivery

private func numbered(_ range: ClosedRange<Int>) -> [String] {
    range.map { "<30>1 - h app - - - line \($0)" }
}

private func relp(_ server: RELPTestServer, window: Int = RELPSettings.defaultWindow) -> DestinationKey {
    DestinationKey(EndpointList(.relp(host: "127.0.0.1", port: server.port, settings: RELPSettings(window: window))), framing: .syslogRELP)
}

/// The sender over RELP: a message leaves the queue only with its `rsp 200`, and what
/// was in flight when a session broke is sent again, in order.
@Suite(.serialized) struct RELPSenderTests {
    /// The first session acknowledges 5 messages and ends without answering the rest;
    /// the second gets everything unacknowledged, from message 6 on, in order.
    @Test func unacknowledgedMessagesAreSentAgainOnTheNextSession() throws {
        let server = try RELPTestServer { index, command in
            command.connection == 1 && index >= 5 ? (index == 8 ? .drop : .silence) : .status("200 OK")
        }
        defer { server.close() }
        try withDestinationRegistry { registry in
            let destination = try registry.acquire(relp(server))
            var messages = batch(numbered(1...20))
            #expect(destination.enqueue(&messages))
            #expect(waitUntil { destination.stats.sentMessages == 20 })
            let first = server.commands.filter { $0.connection == 1 && $0.name == "syslog" }.map(\.data)
            let second = server.commands.filter { $0.connection == 2 && $0.name == "syslog" }.map(\.data)
            #expect(first == numbered(1...9))
            #expect(second == numbered(6...20))
            // The whole batch fitted the window: 6 to 20 were all written to the first
            // session (the server read only up to 9 before it went), and all written again.
            let stats = try #require(destination.stats.acknowledgements)
            #expect(stats == AcknowledgementStats(acknowledged: 20, inFlight: 0, resent: 15, refused: 0, unansweredSeconds: nil))
            #expect(destination.stats.queue.pendingMessages == 0 && destination.stats.sendErrors == 1)
            registry.release(destination)
        }
    }

    /// A refused message is kept, counted and sent again after a pause; nothing is
    /// counted as delivered before its 200.
    @Test func aRefusedMessageIsSentAgainAfterAPause() throws {
        let server = try RELPTestServer { index, _ in index == 2 ? .status("500 queue full") : .status("200 OK") }
        defer { server.close() }
        try withCapturedLog(minimumLevel: .warn) { log in
            try withDestinationRegistry(log: log.sink) { registry in
                let destination = try registry.acquire(relp(server, window: 1))
                var messages = batch(numbered(1...4))
                #expect(destination.enqueue(&messages))
                #expect(waitUntil { destination.stats.sentMessages == 4 })
                #expect(server.syslogMessages == numbered(1...3) + numbered(3...4))
                let stats = try #require(destination.stats.acknowledgements)
                #expect(stats.acknowledged == 4 && stats.refused == 1 && stats.resent == 1)
                #expect(log.contains("the receiver refused a message: 500 queue full; 2 messages kept, sending again after a pause (1 refusals so far)"), "\(log.lines)")
                registry.release(destination)
            }
        }
    }

    /// While the receiver leaves everything unanswered, nothing leaves the queue.
    @Test func nothingCountsAsDeliveredWithoutItsAnswer() throws {
        let server = try RELPTestServer { _, _ in .silence }
        defer { server.close() }
        try withDestinationRegistry { registry in
            let destination = try registry.acquire(relp(server))
            var messages = batch(numbered(1...10))
            #expect(destination.enqueue(&messages))
            #expect(waitUntil { server.syslogMessages.count == 10 })
            #expect(holdsThroughout(seconds: 0.3) {
                destination.stats.sentMessages == 0 && destination.stats.queue.pendingMessages == 10
                    && destination.stats.acknowledgements?.inFlight == 10
            })
            registry.release(destination)
        }
    }
}
