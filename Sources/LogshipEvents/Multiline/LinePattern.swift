/// A compiled `multiline-pattern`: the anchored-prefix automaton when the pattern has
/// that shape, glibc's POSIX regex engine for everything else. Swift's `Regex` is not
/// used: it costs microseconds per line where these cost tens of nanoseconds.
public final class LinePattern {
    private enum Engine {
        case prefix(PrefixProgram)
        case regex(POSIXRegex)
    }

    private let engine: Engine
    /// The ERE given to `regcomp` (also for patterns the prefix automaton runs, which
    /// are compiled once to have glibc confirm them).
    public let extendedExpression: String

    public init(_ pattern: String) throws(PatternError) {
        let syntax = try PatternParser.parse(pattern)
        extendedExpression = try EREWriter.write(syntax)
        let regex = try POSIXRegex(extended: extendedExpression, ignoreCase: syntax.ignoreCase)
        if let program = PrefixProgram(syntax) {
            engine = .prefix(program)
        } else {
            engine = .regex(regex)
        }
    }

    /// Whether the matching runs on the compiled prefix automaton rather than `regexec`.
    public var isPrefixAutomaton: Bool {
        if case .prefix = engine { return true }
        return false
    }

    @inline(__always)
    public func matches(_ line: UnsafeRawBufferPointer) -> Bool {
        switch engine {
        case let .prefix(program): return program.matches(line)
        case let .regex(regex): return regex.matches(line)
        }
    }
}
