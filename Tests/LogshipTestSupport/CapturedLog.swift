import Glibc
import LogshipSystem

/// A plugin log a test can read: a `LogSink` whose lines (every level from
/// `minimumLevel` on) go to a file of its own, for claims about what the plugin
/// noticed that no counter shows (a refused connect).
public final class CapturedLog: Sendable {
    public let sink: LogSink
    private let path: String
    private let file: FileDescriptor

    fileprivate init(minimumLevel: LogSink.Level) throws {
        path = "/tmp/logship-test-log-\(getpid())-\(MonotonicClock.now())"
        file = try FileDescriptor.open(path, [.writeOnly, .create, .append], mode: 0o600)
        sink = LogSink(minimumLevel: minimumLevel, infoDescriptor: file, problemDescriptor: file)
    }

    /// The lines logged so far.
    public var lines: [String] {
        let text = String(decoding: (try? FileSystem.read(path)) ?? [], as: UTF8.self)
        return text.split(separator: "\n").map(String.init)
    }

    public func contains(_ text: String) -> Bool { lines.contains { $0.contains(text) } }

    fileprivate func close() {
        file.close()
        FileSystem.remove(path)
    }
}

/// Runs `body` with a captured log, removed after it. Whatever logs to the sink must
/// be stopped inside `body` (a registry shut down), or it would write to a closed
/// descriptor, or to whatever file reuses its number.
public func withCapturedLog<R>(minimumLevel: LogSink.Level = .info, _ body: (CapturedLog) throws -> R) throws -> R {
    let log = try CapturedLog(minimumLevel: minimumLevel)
    defer { log.close() }
    return try body(log)
}
