import Glibc
import LogshipConfig
import LogshipDelivery
import LogshipJSON
import LogshipSystem
import LogshipTestFrames
import LogshipTestSupport
import Testing
@testable import LogshipStreams

/// A route table whose route `audit` sends raw lines to `port`.
private func auditRoute(to port: UInt16, extra: String = "") throws -> RouteTable {
    let text = "[route audit]\ntcp-address = tcp://127.0.0.1:\(port)\ntcp-format = raw\n\(extra)"
    return try RouteTable(file: "/test/routes.conf", definitions: RoutesFile.parse(Array(text.utf8)))
}

/// A container that chose the route `audit` by its label.
private func auditContainer() -> ContainerInfo {
    var info = containerInfo([:])
    info.containerLabels = ["logship.route": "audit"]
    return info
}

/// Runs `body` with the FIFO of a running stream of `auditContainer()`, its registries
/// following `routes`; everything is shut down after.
private func withAuditStream(_ routes: RouteTableStore, stateDirectory: String? = nil, log: LogSink = testLog, record: Bool = false,
                             _ body: (DaemonFIFO, TestStreams) throws -> Void) throws {
    let registries = try TestStreams(stateDirectory: stateDirectory, routes: routes, log: log)
    defer { registries.shutDown() }
    let fifo = try DaemonFIFO()
    defer { fifo.close() }
    try registries.streams.start(file: fifo.path, info: auditContainer(), record: record)
    try body(fifo, registries)
}

private func lines(_ range: ClosedRange<Int>) -> [UInt8] {
    range.flatMap { dockerFrame("stdout", Array("line \($0)".utf8)) }
}

private func expected(_ range: ClosedRange<Int>) -> [Substring] {
    range.map { "line \($0)"[...] }
}

/// Running streams follow a new generation of the route table from their next read: what they
/// formatted before goes to the old destination, what they read after to the new one, and the
/// lines in progress carry over.
@Suite(.serialized) struct RouteFollowingTests {
    @Test func aRouteChangeMovesTheNextLinesAndKeepsALineInProgressWhole() throws {
        let old = try StreamReceiver(), new = try StreamReceiver()
        defer { old.close(); new.close() }
        let routes = RouteTableStore(initial: try auditRoute(to: old.port))
        try withAuditStream(routes) { fifo, registries in
            try fifo.write(lines(1...500))
            #expect(waitUntil { old.lines.count >= 500 })
            // The first two pieces of a long line, then a whole line (which shows they were read).
            let id = String(repeating: "ab", count: 32)
            let long = [UInt8](repeating: UInt8(ascii: "y"), count: 40_000)
            try fifo.write(dockerFrame("stdout", Array(long[0..<16384]), partial: (false, id, 1))
                + dockerFrame("stdout", Array(long[16384..<32768]), partial: (false, id, 2)) + lines(501...501))
            #expect(waitUntil { old.lines.count >= 501 })

            routes.publish(try auditRoute(to: new.port))
            try fifo.write(dockerFrame("stdout", Array(long[32768...]), partial: (true, id, 3)) + lines(502...1000))
            #expect(waitUntil { new.lines.count >= 500 })
            #expect(old.lines == expected(1...501))
            #expect(new.lines.first.map { $0.count == long.count && $0.allSatisfy { $0 == "y" } } == true)
            #expect(Array(new.lines.dropFirst()) == expected(502...1000))
            // The old destination has no stream left and nothing to deliver: it retires.
            #expect(waitUntil { registries.destinations.liveCount == 1 })
        }
    }

    @Test func aNewGenerationThatChangesNothingForAStreamLeavesItAlone() throws {
        let receiver = try StreamReceiver()
        defer { receiver.close() }
        try withCapturedLog { log in
            let routes = RouteTableStore(initial: try auditRoute(to: receiver.port))
            try withAuditStream(routes, log: log.sink) { fifo, registries in
                try fifo.write(lines(1...10))
                #expect(waitUntil { receiver.lines.count >= 10 })
                // Another route added: the audit route is as it was.
                routes.publish(try auditRoute(to: receiver.port, extra: "[route other]\ntag = x\n"))
                try fifo.write(lines(11...20))
                #expect(waitUntil { receiver.lines.count >= 20 })
                #expect(receiver.lines == expected(1...20))
                #expect(receiver.connectionCount == 1)
                #expect(!log.contains("follows the routes"))
            }
        }
    }

    @Test func aStreamWhoseRouteIsRemovedKeepsItsDestinationUntilARouteResolvesAgain() throws {
        let first = try StreamReceiver(), second = try StreamReceiver()
        defer { first.close(); second.close() }
        try withCapturedLog { log in
            let routes = RouteTableStore(initial: try auditRoute(to: first.port))
            try withAuditStream(routes, log: log.sink) { fifo, registries in
                try fifo.write(lines(1...10))
                #expect(waitUntil { first.lines.count >= 10 })

                routes.publish(.none)
                try fifo.write(lines(11...20))
                #expect(waitUntil { first.lines.count >= 20 })
                #expect(log.contains("keeps its destinations: its options do not resolve with the routes of generation 2 (logship: unknown route \"audit\" (label logship.route)"))

                routes.publish(try auditRoute(to: second.port))
                try fifo.write(lines(21...30))
                #expect(waitUntil { second.lines.count >= 10 })
                #expect(first.lines == expected(1...20))
                #expect(second.lines == expected(21...30))
                #expect(log.contains("follows the routes of generation 3 from its next line: destinations=tcp://127.0.0.1:\(second.port)"))
            }
        }
    }

    @Test func theReattachRecordFollowsTheRouteChange() throws {
        let first = try StreamReceiver(), second = try StreamReceiver()
        defer { first.close(); second.close() }
        let state = "/tmp/logship-state-test-\(getpid())-\(MonotonicClock.now())"
        defer {
            for name in (try? FileSystem.listDirectory(state)) ?? [] { FileSystem.remove(state + "/" + name) }
            FileSystem.removeDirectory(state)
        }
        let routes = RouteTableStore(initial: try auditRoute(to: first.port))
        try withAuditStream(routes, stateDirectory: state, record: true) { fifo, registries in
            func recorded() throws -> StreamRecord? {
                let name = try FileSystem.listDirectory(state).first { $0.hasSuffix(".json") }
                return try name.flatMap { StreamRecord(json: try JSONParser.parse(try FileSystem.read(state + "/" + $0))) }
            }
            #expect(try recorded()?.resolved?.route == RecordedRoute(name: "audit", values: ["tcp-address": "tcp://127.0.0.1:\(first.port)", "tcp-format": "raw"]))
            routes.publish(try auditRoute(to: second.port))
            try fifo.write(lines(1...1))
            #expect(waitUntil { second.lines.count >= 1 })
            let record = try #require(try recorded())
            #expect(record.resolved?.route?.values["tcp-address"] == "tcp://127.0.0.1:\(second.port)")
            // The record names the route, so a re-attach resolves against the routes then in force.
            #expect(record.info.containerLabels["logship.route"] == "audit")
        }
    }
}

/// A route change that changes the multi-line rule: the message in progress is finished for
/// the old destinations, and the next lines are joined (or not) by the new rule.
@Suite(.serialized) struct RouteFollowingMultilineTests {
    private func jsonRoute(to port: UInt16, _ extra: String) throws -> RouteTable {
        let text = "[route audit]\ntcp-address = tcp://127.0.0.1:\(port)\ntcp-format = json\n\(extra)\n"
        return try RouteTable(file: "/test/routes.conf", definitions: RoutesFile.parse(Array(text.utf8)))
    }

    private func frames(_ texts: [String]) -> [UInt8] {
        texts.flatMap { dockerFrame("stdout", Array($0.utf8)) }
    }

    @Test func theMessageInProgressGoesToTheOldDestinationAndTheNewRuleAppliesNext() throws {
        let old = try StreamReceiver(), new = try StreamReceiver()
        defer { old.close(); new.close() }
        let routes = RouteTableStore(initial: try jsonRoute(to: old.port, "multiline-pattern = ^start\nmultiline-timeout = 1h"))
        try withAuditStream(routes) { fifo, registries in
            try fifo.write(frames(["start 1", "  a", "start 2", "  b"]))
            #expect(waitUntil { old.lines.count >= 1 })
            // "start 2\n  b" is in progress (the timeout is an hour) when the route changes.
            routes.publish(try jsonRoute(to: new.port, "multiline-preset = python"))
            try fifo.write(frames(["start 3", "  c"]))
            #expect(waitUntil { old.lines.count >= 2 && new.lines.count >= 2 })
            let oldMessages = old.lines.map(String.init)
            let newMessages = new.lines.map(String.init)
            #expect(oldMessages.count == 2 && newMessages.count == 2)
            #expect(oldMessages.first?.contains(#""message":"start 1\n  a""#) == true)
            #expect(oldMessages.last?.contains(#""message":"start 2\n  b""#) == true)
            // The python preset joins nothing here: two messages, one line each.
            #expect(newMessages.first?.contains(#""message":"start 3""#) == true)
            #expect(newMessages.last?.contains(#""message":"  c""#) == true)
        }
    }
}
