import Testing
@testable import LogshipHTTP

@Suite struct HTTPRequestParserChunkedTests {
    static let chunked = "POST /LogDriver.StartLogging HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "5\r\nhello\r\n" + "1;name=value;quoted=\"a b\"\r\n,\r\n" + "A \r\n0123456789\r\n" + "0\r\n"
        + "X-Trailer: yes\r\nChecksum: abc\r\n\r\n"

    @Test(arguments: [Int.max, 1, 2, 5, 13])
    func decodesChunksWithExtensionsAndTrailers(pieceSize: Int) throws {
        let run = HTTPParserRun(Self.chunked + HTTPCapturedDaemonRequests.capabilities, pieceSize: pieceSize)
        #expect(run.failure == nil)
        #expect(run.requests.count == 2)
        let request = try #require(run.requests.first)
        #expect(request.body == Array("hello,0123456789".utf8))
        #expect(request.header("X-Trailer") == nil, "trailers are not merged into the headers")
        #expect(run.requests.last?.path == "/LogDriver.Capabilities")
    }

    @Test func decodesAnEmptyChunkedBody() throws {
        let run = HTTPParserRun("POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n")
        #expect(try #require(run.requests.first).body.isEmpty)
    }

    @Test func decodesUppercaseHexAndBareLineFeeds() throws {
        let run = HTTPParserRun("POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n1A\n" + String(repeating: "x", count: 26) + "\n0\n\n")
        #expect(try #require(run.requests.first).body.count == 26)
    }

    @Test func limitsTheDecodedBody() {
        let body = "6\r\nabcdef\r\n6\r\nghijkl\r\n0\r\n\r\n"
        #expect(HTTPParserRun("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + body, maxBodyBytes: 12).requests.count == 1)
        #expect(HTTPParserRun("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + body, maxBodyBytes: 11).status == 413)
    }

    @Test(arguments: [
        ("zz\r\n", 400),
        ("\r\n", 400),
        ("5 x\r\n", 400),
        ("5\r\nhelloXX\r\n", 400),
        ("5;ext\u{1}\r\n", 400),
        ("5\rx\r\n", 400),
        ("FFFFFFFFFFFFFFFFFFFFFFFF\r\n", 413),
        ("0\r\nbad trailer\r\n\r\n", 400),
        ("0\r\n folded: x\r\n\r\n", 400),
    ])
    func rejectsMalformedChunks(body: String, status: Int) {
        let run = HTTPParserRun("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
        #expect(run.status == status, "\(body.debugDescription)")
    }

    @Test func rejectsAnEndlessChunkSizeLine() {
        let run = HTTPParserRun("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;" + String(repeating: "e", count: 5000))
        #expect(run.status == 400)
    }

    @Test func rejectsOversizedTrailers() {
        let trailers = "0\r\n" + String(repeating: "X-T: 0123456789\r\n", count: 100) + "\r\n"
        let run = HTTPParserRun("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + trailers, maxHeaderBytes: 1024)
        #expect(run.status == 431)
    }
}
