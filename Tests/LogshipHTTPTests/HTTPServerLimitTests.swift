import Glibc
import LogshipJSON
import LogshipSystem
import LogshipTestSupport
import Testing
@testable import LogshipHTTP

@Suite struct HTTPServerLimitTests {
    @Test func answers408AndClosesWhenARequestStalls() throws {
        let server = try HTTPTestServer(limits: HTTPServerLimits(requestTimeoutMilliseconds: 300))
        var client = try server.client()
        defer { client.close() }
        let started = MonotonicClock.now()
        try client.send("POST /LogDriver.StopLogging HTTP/1.1\r\nContent-Length: 35\r\n\r\n{\"File\":")
        let response = try client.readResponse()
        let elapsed = MonotonicClock.now() - started
        #expect(response.status == 408)
        #expect(response.header("Connection") == "close")
        #expect(try JSONParser.parse(response.body)["Err"]?.string == "request not received in time")
        #expect(elapsed >= 290_000_000)
        #expect(try client.isClosedByServer())
        #expect(waitUntil { server.log.contains { $0.contains("408") } })
    }

    @Test func timesOutARequestThatTricklesInTooSlowly() throws {
        let server = try HTTPTestServer(limits: HTTPServerLimits(requestTimeoutMilliseconds: 300))
        var client = try server.client()
        defer { client.close() }
        // Each byte arrives well within the timeout; the request as a whole does not.
        // The server closes while bytes are still coming, so sends start failing.
        let pauseBetweenBytes: Int64 = 30_000_000  // the slow client is the scenario, not a wait
        for byte in String(repeating: "POST / HTTP/1.1\r\nX: ", count: 3).utf8 {
            guard (try? client.send([byte])) != nil else { break }
            LogshipSystem.sleep(nanoseconds: pauseBetweenBytes)
        }
        #expect(try client.readResponse().status == 408)
    }

    @Test func closesAnIdleConnectionSilently() throws {
        let server = try HTTPTestServer(limits: HTTPServerLimits(idleTimeoutMilliseconds: 200))
        var client = try server.client()
        defer { client.close() }
        try client.send(HTTPCapturedDaemonRequests.capabilities)
        #expect(try client.readResponse().status == 200)
        let started = MonotonicClock.now()
        #expect(try client.isClosedByServer())
        #expect(MonotonicClock.now() - started >= 190_000_000)
        #expect(waitUntil { server.server.connectionCount == 0 })
    }

    @Test func answers431ForOversizedHeaders() throws {
        let server = try HTTPTestServer(limits: HTTPServerLimits(maxHeaderBytes: 1024))
        var client = try server.client()
        defer { client.close() }
        try client.send("POST / HTTP/1.1\r\nX-Big: " + String(repeating: "a", count: 4096) + "\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 431)
        #expect(response.header("Connection") == "close")
        #expect(try client.isClosedByServer())
    }

    @Test func answers413ForAnOversizedBodyWithoutReadingIt() throws {
        let server = try HTTPTestServer(limits: HTTPServerLimits(maxBodyBytes: 1000))
        var client = try server.client()
        defer { client.close() }
        try client.send("POST / HTTP/1.1\r\nContent-Length: 1001\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 413)
        #expect(try JSONParser.parse(response.body)["Err"]?.string == "request body larger than 1000 bytes")
    }

    @Test func answers413ForAnOversizedChunkedBody() throws {
        let server = try HTTPTestServer(limits: HTTPServerLimits(maxBodyBytes: 1000))
        var client = try server.client()
        defer { client.close() }
        try client.send("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n200\r\n" + String(repeating: "x", count: 512) + "\r\n200\r\n")
        #expect(try client.readResponse().status == 413)
    }

    @Test func acceptsABodyOfSeveralMegabytes() throws {
        let server = try HTTPTestServer { request in .json(200, ["Size": .number(String(request.body.count))]) }
        var client = try server.client()
        defer { client.close() }
        let body = [UInt8](repeating: UInt8(ascii: "z"), count: 3 * 1024 * 1024)
        try client.send(Array("POST /big HTTP/1.1\r\nContent-Length: \(body.count)\r\n\r\n".utf8) + body)
        #expect(try JSONParser.parse(client.readResponse().body)["Size"]?.int == body.count)
    }

    @Test(arguments: [
        [UInt8]("garbage\r\n\r\n".utf8),
        [0x00, 0xFF, 0xFE, 0x0D, 0x0A, 0x0D, 0x0A],
        [UInt8]("GET / HTTP/1.1\r\nBad Header\r\n\r\n".utf8),
        [UInt8]("\u{16}\u{03}\u{01}\u{02}\u{00}\u{01}\u{00}\u{01}\u{fc}\u{03}\u{03}\r\n\r\n".utf8),
    ])
    func answers400ToGarbageAndCloses(bytes: [UInt8]) throws {
        let server = try HTTPTestServer()
        var client = try server.client()
        defer { client.close() }
        try client.send(bytes)
        let response = try client.readResponse()
        #expect(response.status == 400)
        #expect(try JSONParser.parse(response.body)["Err"]?.string?.isEmpty == false)
        #expect(try client.isClosedByServer())
    }

    @Test func answers505ToHTTP2Preface() throws {
        let server = try HTTPTestServer()
        var client = try server.client()
        defer { client.close() }
        try client.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        #expect(try client.readResponse().status == 505)
    }

    @Test func refusesConnectionsBeyondTheLimitWith503WhenNoneIsIdle() throws {
        let server = try HTTPTestServer(limits: HTTPServerLimits(maxConnections: 2))
        // Both connections are in the middle of a request: busy, not idle.
        var clients = [try server.client(), try server.client()]
        for index in clients.indices {
            try clients[index].send("POST /LogDriver.Capabilities HTTP/1.1\r\nHost: x\r\n")
        }
        #expect(waitUntil { server.server.connectionCount == 2 && server.server.idleConnectionCount == 0 })
        var third = try server.client()
        defer { third.close() }
        let refused = try third.readResponse()
        #expect(refused.status == 503)
        #expect(refused.header("Connection") == "close")
        #expect(server.log.contains { $0.contains("refused a connection") })

        clients.removeFirst().close()
        defer { clients.forEach { $0.close() } }
        #expect(waitUntil { server.server.connectionCount == 1 })
        var fourth = try server.client()
        defer { fourth.close() }
        try fourth.send(HTTPCapturedDaemonRequests.capabilities)
        #expect(try fourth.readResponse().status == 200)
    }

    /// A client holding connections open without using them cannot lock others out
    /// (the metrics listener faces Prometheus and anything else on the network).
    @Test func theIdlestConnectionMakesRoomForANewOne() throws {
        let server = try HTTPTestServer(limits: HTTPServerLimits(maxConnections: 2))
        var idle = [try server.client(), try server.client()]
        defer { idle.indices.forEach { idle[$0].close() } }
        try idle[0].send(HTTPCapturedDaemonRequests.capabilities)
        #expect(try idle[0].readResponse().status == 200)
        #expect(waitUntil { server.server.connectionCount == 2 })
        var scraper = try server.client()
        defer { scraper.close() }
        try scraper.send(HTTPCapturedDaemonRequests.capabilities)
        #expect(try scraper.readResponse().status == 200)
        // Exactly one of the two idle connections was closed to make room.
        #expect(waitUntil { server.server.connectionCount == 2 })
        let closed = idle.indices.filter { (try? idle[$0].isClosedByServer()) == true }
        #expect(closed.count == 1)
    }

    @Test func stopClosesTheListenerAndIdleConnections() throws {
        let server = try HTTPTestServer()
        var idle = try server.client()
        defer { idle.close() }
        try idle.send(HTTPCapturedDaemonRequests.capabilities)
        #expect(try idle.readResponse().status == 200)

        server.server.stop()
        #expect(try idle.isClosedByServer())
        #expect(throws: SystemError.self) { _ = try server.client() }
        #expect(waitUntil { server.server.connectionCount == 0 })
        server.server.stop()
    }

    @Test func stopLetsARequestInProgressFinishAndThenCloses() throws {
        let entered = HTTPTestBarrier(count: 2)
        let release = HTTPTestBarrier(count: 2)
        let server = try HTTPTestServer { _ in
            _ = entered.arriveAndWait(seconds: 5)
            _ = release.arriveAndWait(seconds: 5)
            return .json(200, [UInt8]("{}".utf8))
        }
        var client = try server.client()
        defer { client.close() }
        try client.send(HTTPCapturedDaemonRequests.capabilities)
        #expect(entered.arriveAndWait(seconds: 5))
        try spawnThread(name: "stopper") { server.server.stop() }
        #expect(waitUntil {
            guard let probe = try? server.client() else { return true }  // refused: the listener is closed
            probe.close()
            return false
        })
        #expect(release.arriveAndWait(seconds: 5))
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.header("Connection") == "close")
        #expect(try client.isClosedByServer())
    }

    @Test func stopBeforeStartClosesTheListener() throws {
        let path = "/tmp/logship-http-test-\(getpid())-unstarted.sock"
        defer { unlink(path) }
        let server = HTTPServer(socket: try Socket.listenUnix(path: path), log: { _ in }) { _ in .json(200, [UInt8]("{}".utf8)) }
        server.stop()
        #expect(throws: SystemError.self) { _ = try HTTPTestClient(path: path) }
    }
}
