import Testing
@testable import LogshipHTTP

@Suite struct HTTPRequestParserTests {
    @Test(arguments: [Int.max, 1, 2, 7])
    func parsesTheDaemonsCapabilitiesRequest(pieceSize: Int) throws {
        let run = HTTPParserRun(HTTPCapturedDaemonRequests.capabilities, pieceSize: pieceSize)
        #expect(run.failure == nil)
        let request = try #require(run.requests.first)
        #expect(run.requests.count == 1)
        #expect(request.method == "POST")
        #expect(request.path == "/LogDriver.Capabilities")
        #expect(request.version == "HTTP/1.1")
        #expect(request.headers.map(\.name) == ["Host", "User-Agent", "Content-Length", "Accept"])
        #expect(request.header("host") == "plugin.moby.localhost")
        #expect(request.header("ACCEPT") == "application/vnd.docker.plugins.v1.2+json")
        #expect(request.body.isEmpty)
        #expect(request.keepsConnectionOpen)
        #expect(!run.parser.hasPartialRequest)
    }

    @Test(arguments: [Int.max, 1, 3, 100])
    func parsesTheDaemonsStopLoggingRequest(pieceSize: Int) throws {
        let run = HTTPParserRun(HTTPCapturedDaemonRequests.stopLogging, pieceSize: pieceSize)
        let request = try #require(run.requests.first)
        #expect(run.requests.count == 1 && run.failure == nil)
        #expect(request.path == "/LogDriver.StopLogging")
        #expect(request.header("Content-Length") == "35")
        #expect(request.body == Array("{\"File\":\"/run/docker/logging/abc\"}\n".utf8))
    }

    @Test func parsesPipelinedRequestsFromOneRead() {
        let three = HTTPCapturedDaemonRequests.capabilities + HTTPCapturedDaemonRequests.stopLogging + HTTPCapturedDaemonRequests.capabilities
        let run = HTTPParserRun(three)
        #expect(run.failure == nil)
        #expect(run.requests.map(\.path) == ["/LogDriver.Capabilities", "/LogDriver.StopLogging", "/LogDriver.Capabilities"])
        #expect(run.requests[1].body.count == 35)
    }

    @Test func parsesManyPipelinedRequestsOneByteAtATime() {
        let many = String(repeating: HTTPCapturedDaemonRequests.stopLogging + HTTPCapturedDaemonRequests.capabilities, count: 20)
        let run = HTTPParserRun(many, pieceSize: 1)
        #expect(run.failure == nil)
        #expect(run.requests.count == 40)
        #expect(run.requests.allSatisfy { $0.path == "/LogDriver.StopLogging" ? $0.body.count == 35 : $0.body.isEmpty })
    }

    @Test func reportsAPartialRequest() {
        var parser = HTTPRequestParser()
        #expect(!parser.hasPartialRequest)
        parser.append(Array("POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nab".utf8))
        if case .needMoreData = parser.nextRequest() {} else { Issue.record("expected needMoreData") }
        #expect(parser.hasPartialRequest)
        parser.append(Array("cd".utf8))
        guard case .request(let request) = parser.nextRequest() else {
            Issue.record("expected a request")
            return
        }
        #expect(request.body == Array("abcd".utf8))
        #expect(!parser.hasPartialRequest)
    }

    @Test func acceptsBareLineFeedsAndLeadingBlankLines() throws {
        let run = HTTPParserRun("\r\n\nPOST /x HTTP/1.1\nContent-Length: 2\n\nhi\r\nGET /y HTTP/1.1\r\n\r\n")
        #expect(run.failure == nil)
        #expect(run.requests.map(\.path) == ["/x", "/y"])
        #expect(run.requests.first?.body == Array("hi".utf8))
    }

    @Test func onlyBlankLinesAreNotARequest() {
        var parser = HTTPRequestParser()
        parser.append(Array("\r\n\r\n\n".utf8))
        if case .needMoreData = parser.nextRequest() {} else { Issue.record("expected needMoreData") }
        #expect(!parser.hasPartialRequest)
    }

    @Test func trimsHeaderValuesAndKeepsEmptyOnes() throws {
        let run = HTTPParserRun("POST / HTTP/1.1\r\nX-A: \t spaced value \t\r\nX-Empty:\r\nX-B:tight\r\n\r\n")
        let request = try #require(run.requests.first)
        #expect(request.header("x-a") == "spaced value")
        #expect(request.header("X-Empty") == "")
        #expect(request.header("x-b") == "tight")
        #expect(request.header("missing") == nil)
    }

    @Test func decidesKeepAliveFromVersionAndConnection() throws {
        func keepsOpen(_ version: String, _ connection: String?) throws -> Bool {
            let header = connection.map { "Connection: \($0)\r\n" } ?? ""
            let run = HTTPParserRun("GET / \(version)\r\n\(header)\r\n")
            return try #require(run.requests.first).keepsConnectionOpen
        }
        #expect(try keepsOpen("HTTP/1.1", nil))
        #expect(try keepsOpen("HTTP/1.1", "keep-alive"))
        #expect(try !keepsOpen("HTTP/1.1", "close"))
        #expect(try !keepsOpen("HTTP/1.1", "Upgrade, CLOSE"))
        #expect(try !keepsOpen("HTTP/1.0", nil))
        #expect(try keepsOpen("HTTP/1.0", "Keep-Alive"))
        #expect(try !keepsOpen("HTTP/1.0", "keep-alive, close"))
    }

    @Test func acceptsAnyHTTP1MinorVersion() throws {
        let run = HTTPParserRun("GET / HTTP/1.9\r\n\r\n")
        #expect(try #require(run.requests.first).version == "HTTP/1.9")
    }

    @Test func acceptsRepeatedEqualContentLengths() throws {
        let run = HTTPParserRun("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc")
        #expect(try #require(run.requests.first).body == Array("abc".utf8))
        let list = HTTPParserRun("POST / HTTP/1.1\r\nContent-Length: 3, 003\r\n\r\nabc")
        #expect(try #require(list.requests.first).body == Array("abc".utf8))
    }

    @Test func acceptsABodyExactlyAtTheLimit() throws {
        let run = HTTPParserRun("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\n0123456789", maxBodyBytes: 10)
        #expect(try #require(run.requests.first).body.count == 10)
    }

    @Test func acceptsHeadersExactlyAtTheLimit() {
        let head = "GET / HTTP/1.1\r\nX: \r\n\r\n"
        #expect(HTTPParserRun(head, maxHeaderBytes: head.utf8.count).requests.count == 1)
        #expect(HTTPParserRun(head, maxHeaderBytes: head.utf8.count - 1).status == 431)
    }
}
