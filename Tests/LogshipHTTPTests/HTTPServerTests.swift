import Glibc
import LogshipJSON
import LogshipSystem
import LogshipTestSupport
import Synchronization
import Testing
@testable import LogshipHTTP

@Suite struct HTTPServerTests {
    @Test func servesSeveralRequestsOnOneKeepAliveConnection() throws {
        let server = try HTTPTestServer()
        var client = try server.client()
        defer { client.close() }
        for round in 0..<5 {
            try client.send(round.isMultiple(of: 2) ? HTTPCapturedDaemonRequests.capabilities : HTTPCapturedDaemonRequests.stopLogging)
            let response = try client.readResponse()
            #expect(response.statusLine == "HTTP/1.1 200 OK")
            #expect(response.header("Content-Type") == "application/vnd.docker.plugins.v1.1+json")
            #expect(response.header("Connection") == nil)
            let echoed = try JSONParser.parse(response.body)
            #expect(echoed["Path"]?.string == (round.isMultiple(of: 2) ? "/LogDriver.Capabilities" : "/LogDriver.StopLogging"))
            if !round.isMultiple(of: 2) {
                #expect(echoed["Body"]?.string == "{\"File\":\"/run/docker/logging/abc\"}\n")
            }
        }
    }

    @Test func writesTheExactResponseBytes() throws {
        let server = try HTTPTestServer { _ in .json(200, ["Cap": ["ReadLogs": true]]) }
        var client = try server.client()
        defer { client.close() }
        try client.send(HTTPCapturedDaemonRequests.capabilities + "POST /x HTTP/1.1\r\nConnection: close\r\n\r\n")
        let expected = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.plugins.v1.1+json\r\nContent-Length: 25\r\n\r\n{\"Cap\":{\"ReadLogs\":true}}"
            + "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.plugins.v1.1+json\r\nContent-Length: 25\r\nConnection: close\r\n\r\n{\"Cap\":{\"ReadLogs\":true}}"
        #expect(String(decoding: try client.readUntilClosed(), as: UTF8.self) == expected)
    }

    @Test func answersPipelinedRequestsInOrder() throws {
        let server = try HTTPTestServer()
        var client = try server.client()
        defer { client.close() }
        let paths = (0..<8).map { "/p\($0)" }
        try client.send(paths.map { "POST \($0) HTTP/1.1\r\nContent-Length: 1\r\n\r\nx" }.joined())
        for path in paths {
            #expect(try JSONParser.parse(client.readResponse().body)["Path"]?.string == path)
        }
    }

    @Test func servesTenConnectionsAtOnce() throws {
        // Every handler waits until all ten are inside it: this passes only if the ten
        // requests really are served concurrently.
        let arrived = HTTPTestBarrier(count: 10)
        let server = try HTTPTestServer { request in
            let allArrived = arrived.arriveAndWait(seconds: 10)
            return .json(200, ["Path": .string(request.path), "AllArrived": .bool(allArrived)])
        }
        let results = Mutex<[Int: String]>([:])
        let done = HTTPTestBarrier(count: 11)
        for index in 0..<10 {
            try spawnThread(name: "client-\(index)") {
                do {
                    var client = try server.client()
                    defer { client.close() }
                    try client.send("POST /c\(index) HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
                    let response = try client.readResponse()
                    let echoed = try JSONParser.parse(response.body)
                    if echoed["AllArrived"]?.bool == true, let path = echoed["Path"]?.string {
                        results.withLock { $0[index] = path }
                    }
                } catch {}
                _ = done.arriveAndWait(seconds: 20)
            }
        }
        #expect(done.arriveAndWait(seconds: 20))
        #expect(results.withLock { $0 } == Dictionary(uniqueKeysWithValues: (0..<10).map { ($0, "/c\($0)") }))
    }

    @Test func servesAClientThatSendsOneByteAtATime() throws {
        let server = try HTTPTestServer()
        var client = try server.client()
        defer { client.close() }
        // Each byte goes only once the server has read the one before: one read per byte.
        for byte in HTTPCapturedDaemonRequests.stopLogging.utf8 {
            try client.send([byte])
            #expect(waitUntil { client.bytesUnreadByServer == 0 })
        }
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(try JSONParser.parse(response.body)["Body"]?.string == "{\"File\":\"/run/docker/logging/abc\"}\n")
    }

    @Test func acceptsAChunkedRequestBody() throws {
        let server = try HTTPTestServer()
        var client = try server.client()
        defer { client.close() }
        try client.send("POST /chunked HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n")
        #expect(try JSONParser.parse(client.readResponse().body)["Body"]?.string == "abcde")
    }

    @Test func closesAfterAnHTTP10Response() throws {
        let server = try HTTPTestServer()
        var client = try server.client()
        defer { client.close() }
        try client.send("POST /old HTTP/1.0\r\nContent-Length: 0\r\n\r\n")
        let response = try client.readResponse()
        #expect(response.status == 200)
        #expect(response.header("Connection") == "close")
        #expect(try client.isClosedByServer())
    }

    @Test func keepsAnHTTP10ConnectionThatAsksForIt() throws {
        let server = try HTTPTestServer()
        var client = try server.client()
        defer { client.close() }
        for _ in 0..<2 {
            try client.send("POST /old HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.header("Connection") == "keep-alive")
        }
    }

    @Test func closesWhenTheClientSaysConnectionClose() throws {
        let server = try HTTPTestServer()
        var client = try server.client()
        defer { client.close() }
        try client.send("POST /bye HTTP/1.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n" + HTTPCapturedDaemonRequests.capabilities)
        let response = try client.readResponse()
        #expect(response.header("Connection") == "close")
        #expect(try client.isClosedByServer(), "the pipelined request after Connection: close is not served")
    }

    // MARK: - stop()

    @Test func stoppingTwiceIsHarmless() throws {
        let server = try HTTPTestServer()
        var client = try server.client()
        defer { client.close() }
        try client.send(HTTPCapturedDaemonRequests.capabilities)
        #expect(try client.readResponse().status == 200)

        #expect(try stopReturnsWithListenerClosed(server.server, path: server.path))
        #expect(try stopReturnsWithListenerClosed(server.server, path: server.path), "the second stop() returns too")
        #expect(try client.isClosedByServer())
        #expect(server.log.filter { $0 == "http: stopped accepting connections" }.count == 1)
    }

    @Test func stopsCalledAtOnceFromSeveralThreadsEachReturnOnceStopped() throws {
        let server = try HTTPTestServer()
        let go = HTTPTestBarrier(count: 3)
        let returned = HTTPTestBarrier(count: 4)
        let refusedOnReturn = Mutex<[Int: Bool]>([:])
        for index in 0..<3 {
            try spawnThread(name: "stopper-\(index)") { [server] in
                _ = go.arriveAndWait(seconds: 5)
                server.server.stop()
                // Whichever call did the stopping, none returns before the listener is closed.
                let refused = refusesConnections(server.path)
                refusedOnReturn.withLock { $0[index] = refused }
                _ = returned.arriveAndWait(seconds: 0)
            }
        }
        #expect(returned.arriveAndWait(seconds: 5))
        #expect(refusedOnReturn.withLock { $0 } == [0: true, 1: true, 2: true])
        #expect(server.log.filter { $0 == "http: stopped accepting connections" }.count == 1)
    }

    @Test func refusesNewConnectionsOnceStopped() throws {
        let server = try HTTPTestServer()
        var client = try server.client()
        defer { client.close() }
        try client.send(HTTPCapturedDaemonRequests.capabilities)
        #expect(try client.readResponse().status == 200)
        #expect(!refusesConnections(server.path))

        #expect(try stopReturnsWithListenerClosed(server.server, path: server.path))
        #expect(server.log.contains("http: stopped accepting connections"))
    }
}

/// Calls `server.stop()` on another thread, so that a stop() that hangs fails the
/// test instead of hanging it. True when it returned within `seconds` and, the
/// moment it did, connections to `path` were already refused.
private func stopReturnsWithListenerClosed(_ server: HTTPServer, path: String, within seconds: Double = 5) throws -> Bool {
    let returned = HTTPTestBarrier(count: 2)
    let refusedOnReturn = Mutex<Bool>(false)
    try spawnThread(name: "stopper") {
        server.stop()
        let refused = refusesConnections(path)
        refusedOnReturn.withLock { $0 = refused }
        _ = returned.arriveAndWait(seconds: 0)
    }
    return returned.arriveAndWait(seconds: seconds) && refusedOnReturn.withLock { $0 }
}

/// True when connecting to `path` fails because nothing listens there any more.
private func refusesConnections(_ path: String) -> Bool {
    do {
        let client = try HTTPTestClient(path: path)
        client.close()
        return false
    } catch let error as SystemError {
        return error.errno == ECONNREFUSED || error.errno == ENOENT
    } catch {
        return false
    }
}
