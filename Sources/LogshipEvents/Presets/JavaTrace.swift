/// `multiline-preset=java`: the lines of a stack trace as the JVM (and logback, log4j)
/// print them, after the line that logged it:
///
///     2024-05-01 12:00:00 ERROR [main] c.e.App - request failed      <- the head, any line
///     java.lang.IllegalStateException: boom                          <- the exception line
///         at com.example.App.run(App.java:12)                        <- frames
///     Caused by: java.io.IOException: disk full
///         ... 5 more
///         Suppressed: java.lang.Exception: cleanup failed
///         ... 12 common frames omitted                                (logback)
///
/// The exception line (a qualified class name ending in Exception, Error or Throwable,
/// with its message after a colon) joins only as the second line of a message, right
/// after its head: anywhere else it is a trace of its own.
enum JavaTrace {
    static func continues(_ line: UnsafeRawBufferPointer, afterHeadOnly: Bool) -> Bool {
        let indent = LineText.indentation(line)
        if indent > 0 {
            if LineText.hasPrefix(line, "at ", at: indent), line.count > indent + 3 { return true }
            if LineText.hasPrefix(line, "... ", at: indent), indent + 4 < line.count, LineText.isDigit(line[indent + 4]) { return true }
        }
        if LineText.hasPrefix(line, "Caused by: ", at: indent) || LineText.hasPrefix(line, "Suppressed: ", at: indent) { return true }
        return afterHeadOnly && isExceptionLine(line)
    }

    /// `pkg.Name(Exception|Error|Throwable)` alone or followed by `: message`.
    static func isExceptionLine(_ line: UnsafeRawBufferPointer) -> Bool {
        var end = 0
        var dots = 0
        var segmentStart = 0
        while end < line.count {
            let b = line[end]
            if b == UInt8(ascii: ".") {
                guard end > segmentStart else { return false }
                dots += 1
                segmentStart = end + 1
            } else if b == UInt8(ascii: ":") {
                break
            } else if !(isIdentifier(b)) {
                return false
            }
            end += 1
        }
        guard dots > 0, end > segmentStart else { return false }
        if end < line.count && !(end + 1 == line.count || line[end + 1] == UInt8(ascii: " ")) { return false }
        let name = UnsafeRawBufferPointer(rebasing: line[segmentStart..<end])
        return hasSuffix(name, "Exception") || hasSuffix(name, "Error") || hasSuffix(name, "Throwable")
    }

    private static func isIdentifier(_ b: UInt8) -> Bool {
        (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A || LineText.isDigit(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "$")
    }

    private static func hasSuffix(_ name: UnsafeRawBufferPointer, _ suffix: StaticString) -> Bool {
        name.count >= suffix.utf8CodeUnitCount && LineText.hasPrefix(name, suffix, at: name.count - suffix.utf8CodeUnitCount)
    }
}
