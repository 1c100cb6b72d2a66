import Testing
@testable import LogshipHTTP

@Suite struct HTTPRequestParserErrorTests {
    @Test(arguments: [
        // Malformed request lines.
        ("POST\r\n\r\n", 400),
        ("POST /\r\n\r\n", 400),
        ("POST  / HTTP/1.1\r\n\r\n", 400),
        ("POST / HTTP/1.1 \r\n\r\n", 400),
        ("PO ST / HTTP/1.1\r\n\r\n", 400),
        ("P\u{0}ST / HTTP/1.1\r\n\r\n", 400),
        ("POST /a b HTTP/1.1\r\n\r\n", 400),
        ("POST / http/1.1\r\n\r\n", 400),
        ("POST / HTTP/1\r\n\r\n", 400),
        ("POST / HTTP/1.1x\r\n\r\n", 400),
        ("POST / HTTP/a.b\r\n\r\n", 400),
        ("POST /\r HTTP/1.1\r\n\r\n", 400),
        // Versions that are well formed but not HTTP/1.
        ("PRI * HTTP/2.0\r\n\r\n", 505),
        ("POST / HTTP/0.9\r\n\r\n", 505),
        ("POST / HTTP/3.0\r\n\r\n", 505),
        // Malformed header lines.
        ("POST / HTTP/1.1\r\nNoColon\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\n: empty name\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nName : space before colon\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nBad(Name): x\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nX: a\r\n folded\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nX: a\u{0}b\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nX: a\rb\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nX: a\u{7F}\r\n\r\n", 400),
        // Body framing.
        ("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400),
        ("POST / HTTP/1.1\r\nContent-Length: 3, 4\r\n\r\nabcd", 400),
        ("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nContent-Length: +3\r\n\r\nabc", 400),
        ("POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n", 400),
        ("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n", 501),
        ("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999999\r\n\r\n", 413),
        ("POST / HTTP/1.1\r\nContent-Length: 8388609\r\n\r\n", 413),
    ])
    func rejects(text: String, status: Int) {
        #expect(HTTPParserRun(text).status == status, "\(text.debugDescription)")
        #expect(HTTPParserRun(text, pieceSize: 1).status == status, "\(text.debugDescription) byte by byte")
    }

    @Test func rejectsOversizedHeadersBeforeTheirEnd() {
        var parser = HTTPRequestParser(maxHeaderBytes: 1024)
        parser.append(Array(("POST / HTTP/1.1\r\nX-Long: " + String(repeating: "a", count: 2000)).utf8))
        guard case .failure(let error) = parser.nextRequest() else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.status == 431)
    }

    @Test func rejectsTooManyHeaderLines() {
        let head = "POST / HTTP/1.1\r\n" + String(repeating: "A: b\r\n", count: 5000) + "\r\n"
        #expect(HTTPParserRun(head).status == 431)
    }

    @Test func refusesABodyFromItsAnnouncedLengthAlone() {
        var parser = HTTPRequestParser(maxBodyBytes: 100)
        parser.append(Array("POST / HTTP/1.1\r\nContent-Length: 101\r\n\r\n".utf8))
        guard case .failure(let error) = parser.nextRequest() else {
            Issue.record("expected a failure")
            return
        }
        #expect(error == HTTPParseError(status: 413, reason: "request body larger than 100 bytes"))
    }

    @Test func failureIsSticky() {
        var parser = HTTPRequestParser()
        parser.append(Array("garbage\r\n\r\n".utf8))
        guard case .failure = parser.nextRequest() else {
            Issue.record("expected a failure")
            return
        }
        parser.append(Array(HTTPCapturedDaemonRequests.capabilities.utf8))
        guard case .failure = parser.nextRequest() else {
            Issue.record("expected the failure to stay")
            return
        }
    }

    @Test func survivesRandomBytes() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("POST /HTP1.\r\n:;0123456789aAfFchunkedContent-LengthTransfer-Encoding \t".utf8) + [0, 0x80, 0xFF]
        for _ in 0..<3000 {
            let length = Int.random(in: 0...300, using: &generator)
            let bytes = (0..<length).map { _ in
                Bool.random(using: &generator) ? alphabet.randomElement(using: &generator)! : UInt8.random(in: 0...255, using: &generator)
            }
            let prefix = Array((Bool.random(using: &generator) ? "POST / HTTP/1.1\r\n" : "").utf8)
            let run = HTTPParserRun(prefix + bytes, pieceSize: Int.random(in: 1...16, using: &generator), maxHeaderBytes: 256, maxBodyBytes: 256)
            if let status = run.status {
                #expect([400, 413, 431, 501, 505].contains(status))
            }
        }
    }
}
