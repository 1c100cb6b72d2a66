import Testing
@testable import LogshipHTTP

/// Bytes on the plugin socket on which the fuzz-http target (Fuzz/, scripts/fuzz.sh)
/// found a broken property.
@Suite struct HTTPFuzzRegressionTests {
    /// A chunk-size line was held to its 4 KiB limit only while its LF had not yet
    /// arrived: whole, a request with a 6 KB chunk extension was served; cut by the
    /// socket inside that line, the same bytes were a 400. What a client gets must
    /// not depend on how its bytes were split into reads.
    /// Reproducer: a chunked POST whose body starts "1;" + 6000 × "a" + "\r\nX\r\n0\r\n\r\n".
    @Test func longChunkSizeLineIsJudgedTheSameHoweverItArrives() {
        let request = "POST /LogDriver.StopLogging HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "1;" + String(repeating: "a", count: 6000) + "\r\nX\r\n0\r\n\r\n"
        let whole = HTTPParserRun(request)
        for pieceSize in [1, 100, 4096] {
            let pieces = HTTPParserRun(request, pieceSize: pieceSize)
            #expect(pieces.status == whole.status, "in pieces of \(pieceSize)")
            #expect(pieces.requests.map(\.body) == whole.requests.map(\.body), "in pieces of \(pieceSize)")
        }
    }
}

/// StartLogging requests on which the fuzz-start-logging target found a broken
/// property, replayed through the plugin's own request handler: that is where the
/// daemon's bytes enter, whichever module the fault was in.
