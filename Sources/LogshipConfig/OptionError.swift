/// A `--log-opt` (or host-wide setting) that logship cannot accept. The message is
/// what `docker run` prints: it names the option, the value and what would work.
public struct OptionError: Error, Equatable, CustomStringConvertible, Sendable {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    static func unknown(_ key: String) -> OptionError {
        let names = LogOptions.all.map(\.name)
        var text = "logship: unknown log-opt \"\(key)\""
        if let suggestion = closest(to: key, in: names + LogOptions.handledByDocker) {
            text += " (did you mean \"\(suggestion)\"?)"
        }
        text += "; valid options: \(names.joined(separator: ", ")); handled by Docker: \(LogOptions.handledByDocker.joined(separator: ", "))"
        return OptionError(text)
    }

    static func invalid(_ option: LogOption, _ value: String, source: ValueSource, expected: String) -> OptionError {
        OptionError("logship: invalid value \"\(value)\" for \(source.describe(option)): \(expected)")
    }

    /// The known name nearest to a typo, if it is near enough to be a typo.
    static func closest(to key: String, in names: [String]) -> String? {
        let scored = names.map { ($0, editDistance(key, $0)) }.min { $0.1 < $1.1 }
        guard let (name, distance) = scored, distance <= max(2, key.count / 4) else { return nil }
        return name
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.utf8), b = Array(b.utf8)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

/// Where an option's value came from, so an error points at the right place.
enum ValueSource: Equatable {
    case logOpt
    /// A route of the routes file, and the line the value is on (nil: the route as
    /// recorded with a re-attached stream).
    case route(String, line: Int?)
    case pluginSetting

    /// Both from the container's options, both from one route, or both host-wide.
    func isSameLayer(_ other: ValueSource) -> Bool {
        switch (self, other) {
        case (.logOpt, .logOpt), (.pluginSetting, .pluginSetting): return true
        case let (.route(a, _), .route(b, _)): return a == b
        default: return false
        }
    }

    func describe(_ option: LogOption) -> String {
        switch self {
        case .logOpt: return "log-opt \(option.name)"
        case let .route(name, line?): return "\(option.name) (\(ConfigDirectory.routesFileName) line \(line), route \"\(name)\")"
        case let .route(name, nil): return "\(option.name) (route \"\(name)\" as recorded with the stream)"
        case .pluginSetting: return "\(option.name) (from the plugin setting \(option.environmentName); change it with `docker plugin set`)"
        }
    }

    /// The option with its value, as the operator wrote it where it came from.
    func describe(_ option: LogOption, value: String) -> String {
        switch self {
        case .logOpt: return "log-opt \(option.name)=\"\(value)\""
        case let .route(name, line?): return "\(option.name) = \(value) (\(ConfigDirectory.routesFileName) line \(line), route \"\(name)\")"
        case let .route(name, nil): return "\(option.name) = \(value) (route \"\(name)\" as recorded with the stream)"
        case .pluginSetting: return "\(describe(option))=\"\(value)\""
        }
    }
}
