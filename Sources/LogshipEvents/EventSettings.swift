/// Where a message's severity comes from (`level-from`).
public enum LevelSource: String, Sendable, CaseIterable {
    /// Docker's: stdout info, stderr err.
    case stream
    /// sd-daemon's `<N>` prefix, taken off the line.
    case prefix
    /// A JSON object line's `level`, `severity` or `lvl` member.
    case json
    /// The prefix, else a JSON member, else a leading keyword, else the stream.
    case auto
}

/// A built-in recogniser of multi-line messages (`multiline-preset`).
public enum MultilinePreset: String, Sendable, CaseIterable {
    case java, python, go
}

/// What tells where a message starts (one of the three `multiline-*` rules).
public enum MultilineRule: Equatable, Sendable {
    /// `multiline-pattern`: a line that matches starts a message; the others join it.
    case pattern(String)
    /// `multiline-datetime-format`: a line that begins with such a timestamp starts one.
    case datetimeFormat(String)
    /// `multiline-preset`: what the recognisers know joins; every other line is its own.
    case presets([MultilinePreset])

    /// Compiles the rule, as each stream does for itself; throws what is wrong with it.
    public func compile() throws(PatternError) -> LineClassifier {
        switch self {
        case let .pattern(text): return .pattern(try LinePattern(text))
        case let .datetimeFormat(format): return .datetime(try DatetimeFormat.compile(format))
        case let .presets(presets): return .presets(PresetRecognizer(presets))
        }
    }
}

/// A stream's multi-line joining.
public struct MultilineSettings: Equatable, Sendable {
    public var rule: MultilineRule
    /// `multiline-timeout`: a message in progress is sent this long after its last line.
    public var timeoutNanoseconds: Int64
    /// `multiline-max-lines`: a message of this many lines is sent at once.
    public var maxLines: Int

    /// One second: a stack trace is printed in one go (its lines reach Docker within
    /// milliseconds, even from a busy process), so waiting longer joins nothing more,
    /// and a line that ends a burst of output is held at most this long.
    public static let defaultTimeoutNanoseconds: Int64 = 1_000_000_000
    /// Enough for the longest traces of Java frameworks with several causes (a few
    /// hundred lines); `max-line-size` bounds the bytes.
    public static let defaultMaxLines = 1000

    public init(rule: MultilineRule, timeoutNanoseconds: Int64 = MultilineSettings.defaultTimeoutNanoseconds,
                maxLines: Int = MultilineSettings.defaultMaxLines) {
        self.rule = rule
        self.timeoutNanoseconds = timeoutNanoseconds
        self.maxLines = maxLines
    }
}

/// How a stream turns lines into messages: joining, severity, JSON fields.
public struct EventSettings: Equatable, Sendable {
    public var multiline: MultilineSettings?
    public var levelFrom: LevelSource
    public var parseJSON: Bool

    public init(multiline: MultilineSettings? = nil, levelFrom: LevelSource = .stream, parseJSON: Bool = false) {
        self.multiline = multiline
        self.levelFrom = levelFrom
        self.parseJSON = parseJSON
    }

    /// Lines go out as they come, at their stream's severity: today's behaviour, with
    /// no per-line work added.
    public var isPlain: Bool { multiline == nil && levelFrom == .stream && !parseJSON }
}
