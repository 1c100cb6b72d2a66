/// `multiline-preset=go`: a panic or fatal error and the goroutine dump after it:
///
///     panic: runtime error: index out of range [3] with length 3      <- starts it
///                                                                     <- blank lines
///     goroutine 1 [running]:                                          <- goroutine headers
///     main.main()                                                     <- calls
///             /app/main.go:8 +0x1d                                    <- tab-indented files
///     created by main.start in goroutine 1
///     [signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x45]
///
/// A blank line joins only if more of the dump follows it.
enum GoPanic {
    static func starts(_ line: UnsafeRawBufferPointer) -> Bool {
        LineText.hasPrefix(line, "panic: ") || LineText.hasPrefix(line, "fatal error: ")
    }

    static func role(of line: UnsafeRawBufferPointer) -> LineClassification.Role? {
        if line.isEmpty { return .tentative }
        if line[0] == 0x09 { return .continuation }
        if LineText.hasPrefix(line, "goroutine "), line.count > 10, LineText.isDigit(line[10]) { return .continuation }
        if LineText.hasPrefix(line, "[signal ") || LineText.hasPrefix(line, "created by ")
            || LineText.hasPrefix(line, "...additional frames elided...") { return .continuation }
        return isCall(line) ? .continuation : nil
    }

    /// `pkg.Function(args)`, `main.(*T).Method(...)`, `panic({0x45, 0x4b})`: no space before
    /// the first parenthesis, and a closing one at the end.
    static func isCall(_ line: UnsafeRawBufferPointer) -> Bool {
        guard line.count >= 3, line[line.count - 1] == UInt8(ascii: ")") else { return false }
        for (i, b) in line.enumerated() {
            if b == UInt8(ascii: "(") { return i > 0 }
            if b == 0x20 || b == 0x09 || b == UInt8(ascii: ":") { return false }
        }
        return false
    }
}
