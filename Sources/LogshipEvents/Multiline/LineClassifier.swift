/// What a multi-line rule says about one line, given the message in progress.
public struct LineClassification: Equatable {
    public enum Role: Equatable {
        /// Begins a new message (the one in progress is sent).
        case start
        /// Joins the message in progress.
        case continuation
        /// Joins only if a continuation follows (a blank line inside a Python chain of
        /// tracebacks or a Go panic); otherwise it is sent as a message of its own.
        case tentative
    }

    public var role: Role
    /// The message may go on: it waits for the next line (or the timeout). A line
    /// that cannot be followed is sent at once, with no wait.
    public var holds: Bool
    /// What the message in progress is, once this line is in it.
    public var context: MessageContext
}

/// What kind of message is in progress, for the presets' rules (a frame line joins a
/// Java trace; an unindented line closes a Python traceback...).
public enum MessageContext: UInt8, Sendable {
    case plain = 0
    case javaTrace
    case pythonTraceback
    /// After the closing `XxxError: …` line: a chained traceback may follow.
    case pythonClosed
    /// After "During handling of the above exception…": the next traceback joins.
    case pythonChained
    case goPanic
}

/// A compiled multi-line rule.
public enum LineClassifier {
    case pattern(LinePattern)
    case datetime(DatetimeMatcher)
    case presets(PresetRecognizer)

    @inline(__always)
    public func classify(_ line: UnsafeRawBufferPointer, context: MessageContext, linesInMessage: Int) -> LineClassification {
        switch self {
        case let .pattern(pattern):
            return LineClassification(role: pattern.matches(line) ? .start : .continuation, holds: true, context: .plain)
        case let .datetime(matcher):
            return LineClassification(role: matcher.matches(line) ? .start : .continuation, holds: true, context: .plain)
        case let .presets(recognizer):
            return recognizer.classify(line, context: context, linesInMessage: linesInMessage)
        }
    }
}
