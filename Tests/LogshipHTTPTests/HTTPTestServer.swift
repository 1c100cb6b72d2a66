import Glibc
import LogshipJSON
import LogshipHTTP
import LogshipSystem
import Synchronization

/// A real server on a fresh unix socket under /tmp, recording its log lines.
final class HTTPTestServer: Sendable {
    private static let counter = Atomic<Int>(0)

    let path: String
    let server: HTTPServer
    private let logLines: HTTPTestLog

    init(
        limits: HTTPServerLimits = HTTPServerLimits(),
        handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse = HTTPTestServer.echo
    ) throws {
        let number = Self.counter.wrappingAdd(1, ordering: .relaxed).newValue
        path = "/tmp/logship-http-test-\(getpid())-\(number).sock"
        let listener = try Socket.listenUnix(path: path)
        let logLines = HTTPTestLog()
        self.logLines = logLines
        server = HTTPServer(socket: listener, limits: limits, log: { logLines.append($0) }, handler: handler)
        try server.start()
    }

    deinit {
        server.stop()
        unlink(path)
    }

    func client() throws -> HTTPTestClient { try HTTPTestClient(path: path) }

    var log: [String] { logLines.lines }

    /// Answers with what it received, so a test can check the request got through intact.
    @Sendable static func echo(_ request: HTTPRequest) -> HTTPResponse {
        .json(200, [
            "Method": .string(request.method),
            "Path": .string(request.path),
            "Body": .string(String(decoding: request.body, as: UTF8.self)),
        ])
    }
}

final class HTTPTestLog: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ line: String) { storage.withLock { $0.append(line) } }
    var lines: [String] { storage.withLock { $0 } }
}
