import Glibc
import Synchronization

/// The plugin's own log: one line per event, which Docker copies into the daemon log.
/// Docker logs a plugin's stdout at level info and its stderr at level error, so
/// debug and info lines go to stdout and warnings and errors to stderr. Each line goes
/// out in one `write`, so lines from threads never mix.
///
/// Passed explicitly to whatever logs; there is no global logger.
public final class LogSink: Sendable {
    public enum Level: Int, Comparable, Sendable, CaseIterable {
        case debug, info, warn, error

        public var name: String {
            switch self {
            case .debug: return "debug"
            case .info: return "info"
            case .warn: return "warn"
            case .error: return "error"
            }
        }

        public init?(name: String) {
            guard let level = Level.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
            self = level
        }

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public let minimumLevel: Level
    private let infoDescriptor: FileDescriptor
    private let problemDescriptor: FileDescriptor

    public init(minimumLevel: Level = .info,
                infoDescriptor: FileDescriptor = FileDescriptor(rawValue: 1),
                problemDescriptor: FileDescriptor = FileDescriptor(rawValue: 2)) {
        self.minimumLevel = minimumLevel
        self.infoDescriptor = infoDescriptor
        self.problemDescriptor = problemDescriptor
    }

    public func log(_ level: Level, _ message: @autoclosure () -> String) {
        guard level >= minimumLevel else { return }
        let line = Array("level=\(level.name) \(message())\n".utf8)
        let descriptor = level >= .warn ? problemDescriptor : infoDescriptor
        line.withUnsafeBytes { try? descriptor.writeAll($0) }
    }

    public func debug(_ message: @autoclosure () -> String) { log(.debug, message()) }
    public func info(_ message: @autoclosure () -> String) { log(.info, message()) }
    public func warn(_ message: @autoclosure () -> String) { log(.warn, message()) }
    public func error(_ message: @autoclosure () -> String) { log(.error, message()) }
}
