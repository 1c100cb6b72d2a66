@testable import LogshipHTTP

/// Feeds `text` to a fresh parser in pieces of `pieceSize` bytes and collects every
/// outcome up to the first failure.
struct HTTPParserRun {
    var requests: [HTTPRequest] = []
    var failure: HTTPParseError?
    var parser: HTTPRequestParser

    init(_ bytes: [UInt8], pieceSize: Int = .max, maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 8 * 1024 * 1024) {
        parser = HTTPRequestParser(maxHeaderBytes: maxHeaderBytes, maxBodyBytes: maxBodyBytes)
        var offset = 0
        repeat {
            let end = min(bytes.count, offset + max(1, min(pieceSize, bytes.count)))
            parser.append(Array(bytes[offset..<end]))
            offset = end
            drain()
        } while offset < bytes.count && failure == nil
    }

    init(_ text: String, pieceSize: Int = .max, maxHeaderBytes: Int = 16 * 1024, maxBodyBytes: Int = 8 * 1024 * 1024) {
        self.init(Array(text.utf8), pieceSize: pieceSize, maxHeaderBytes: maxHeaderBytes, maxBodyBytes: maxBodyBytes)
    }

    private mutating func drain() {
        while true {
            switch parser.nextRequest() {
            case .request(let request): requests.append(request)
            case .failure(let error): failure = error; return
            case .needMoreData: return
            }
        }
    }

    var status: Int? { failure?.status }
}

/// The two requests captured from the daemon's transport (protocol doc §2.2), byte for byte.
enum HTTPCapturedDaemonRequests {
    static let capabilities = "POST /LogDriver.Capabilities HTTP/1.1\r\nHost: plugin.moby.localhost\r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: 0\r\nAccept: application/vnd.docker.plugins.v1.2+json\r\n\r\n"
    static let stopLogging = "POST /LogDriver.StopLogging HTTP/1.1\r\nHost: plugin.moby.localhost\r\nUser-Agent: Go-http-client/1.1\r\nContent-Length: 35\r\nAccept: application/vnd.docker.plugins.v1.2+json\r\n\r\n{\"File\":\"/run/docker/logging/abc\"}\n"
}
