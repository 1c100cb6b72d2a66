import FuzzSupport
@testable import LogshipEvents

/// A pattern either is refused with a `PatternError` or compiles: everything the RE2
/// reader accepts, glibc's `regcomp` must accept as written for it. When the pattern is
/// of the anchored-prefix shape, the compiled automaton and `regexec` must agree on
/// every line (the automaton replaces `regexec` for those patterns, so a disagreement
/// would change which lines start messages).
enum PatternAgreement {
    static func check(_ pattern: String, _ lines: [[UInt8]]) {
        let syntax: PatternSyntax
        let extended: String
        do {
            syntax = try PatternParser.parse(pattern)
            extended = try EREWriter.write(syntax)
        } catch {
            return
        }
        let regex: POSIXRegex
        do {
            regex = try POSIXRegex(extended: extended, ignoreCase: syntax.ignoreCase)
        } catch {
            invariant(false, "accepted \(pattern.debugDescription) but regcomp refused its translation: \(error.message)")
            return
        }
        let pattern = try? LinePattern(pattern)
        invariant(pattern != nil, "LinePattern refused what the parts accept")
        guard let program = PrefixProgram(syntax) else {
            for line in lines { terminated(line) { _ = regex.matches($0) } }
            return
        }
        for line in lines {
            terminated(line) { bytes in
                // glibc never matches across a NUL-free line differently; NUL bytes inside a
                // line are outside what either side promises (`.` excludes NUL in glibc).
                guard !bytes.contains(0) else { return }
                invariant(program.matches(bytes) == regex.matches(bytes),
                          "automaton and regexec disagree on \(String(decoding: bytes, as: UTF8.self).debugDescription) for \(extended.debugDescription)")
            }
        }
    }

    /// `line` followed by a NUL that `bytes` leaves out. `regexec` reads only the range
    /// REG_STARTEND gives it, but ASan's interceptor of `regexec` checks `strlen(string)`
    /// bytes whatever the flags, and would report a read past an unterminated line.
    private static func terminated(_ line: [UInt8], _ body: (UnsafeRawBufferPointer) -> Void) {
        (line + [0]).withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0.dropLast())) }
    }

    static func checkDatetime(_ format: String, _ lines: [[UInt8]]) {
        guard let matcher = try? DatetimeFormat.compile(format) else { return }
        for line in lines { line.withUnsafeBytes { _ = matcher.matches($0) } }
    }
}
