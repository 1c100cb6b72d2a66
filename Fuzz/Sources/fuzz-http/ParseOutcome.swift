import FuzzSupport
import LogshipHTTP

/// Everything a connection learns from the parser about one byte stream: the
/// requests, in order, then the status of the error that ended it, if any.
struct ParseOutcome: Equatable, CustomStringConvertible {
    /// `HTTPRequest` is not `Equatable` (its headers are tuples); this is its content.
    struct Request: Equatable {
        var method: String
        var path: String
        var version: String
        var headers: [[String]]
        var body: [UInt8]

        init(_ request: HTTPRequest) {
            method = request.method
            path = request.path
            version = request.version
            headers = request.headers.map { [$0.name, $0.value] }
            body = request.body
        }
    }

    var requests: [Request] = []
    var failureStatus: Int?
    /// Whether bytes of an unfinished request are left: decides 408 against a quiet close.
    var hasPartialRequest = false

    /// Feeds `bytes` to a fresh parser in the pieces `cuts` delimit, taking every
    /// request after each piece and stopping at the first failure, as
    /// `HTTPConnection` does.
    init(parsing bytes: [UInt8], cutAt cuts: [Int], limits: ParserLimits) {
        var parser = HTTPRequestParser(maxHeaderBytes: limits.maxHeaderBytes, maxBodyBytes: limits.maxBodyBytes)
        var start = 0
        for end in cuts + [bytes.count] where failureStatus == nil {
            parser.append(Array(bytes[start..<end]))
            start = end
            drain(&parser, inputBytes: bytes.count)
        }
        hasPartialRequest = parser.hasPartialRequest
    }

    private mutating func drain(_ parser: inout HTTPRequestParser, inputBytes: Int) {
        while true {
            switch parser.nextRequest() {
            case .request(let request):
                requests.append(Request(request))
                // Every request uses at least "A / HTTP/1.1\n\n": more requests than
                // input bytes means the parser returned one without consuming input.
                invariant(requests.count <= inputBytes, "\(requests.count) requests from \(inputBytes) bytes")
            case .failure(let error):
                failureStatus = error.status
                return
            case .needMoreData:
                return
            }
        }
    }

    var description: String {
        let summary = requests.map { "\($0.method) \($0.path) \($0.version) headers=\($0.headers) body=\($0.body.count)B" }
        return "requests \(summary), failure \(failureStatus.map(String.init) ?? "none"), partial \(hasPartialRequest)"
    }
}
