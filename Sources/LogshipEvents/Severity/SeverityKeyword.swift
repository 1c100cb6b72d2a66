import Glibc

/// `level-from=auto`'s last guess: a level keyword at the start of the line, as the
/// first word (`ERROR something`, `Error: something`, `WARN| x`) or in brackets
/// (`[ERROR] something`, `2024-01-01 12:00:00 [warn] x`: the first bracketed word in
/// the first 128 bytes; `[12345]` is not a word). Keywords, in any case: `FATAL`,
/// `CRITICAL`, `CRIT`, `ERROR`, `ERR`, `WARN`, `WARNING`, `NOTICE`, `INFO`, `DEBUG`, `TRACE`.
///
/// Runs on every line that has no prefix and is not JSON, so a word is compared as one
/// machine word: its letters lowercased and packed into a `UInt64` (no keyword is longer
/// than eight letters).
public enum SeverityKeyword {
    public static func find(in line: UnsafeRawBufferPointer) -> Severity? {
        if let severity = firstWord(line) { return severity }
        return firstBracketed(line)
    }

    private static func firstWord(_ line: UnsafeRawBufferPointer) -> Severity? {
        var end = 0
        while end < line.count, end <= 8, isLetter(line[end]) { end += 1 }
        guard end >= 3, end <= 8, end == line.count || !isLetter(line[end]) && !isDigit(line[end]) else { return nil }
        return keyword(line, from: 0, to: end)
    }

    private static func firstBracketed(_ line: UnsafeRawBufferPointer) -> Severity? {
        guard let base = line.baseAddress else { return nil }
        let limit = min(line.count, 128)
        var from = 0
        while from < limit, let found = memchr(base + from, Int32(UInt8(ascii: "[")), limit - from) {
            let open = base.distance(to: UnsafeRawPointer(found))
            var end = open + 1
            while end < limit, isLetter(line[end]) { end += 1 }
            if end < limit, line[end] == UInt8(ascii: "]"), end > open + 1 {
                // The first bracketed word decides: `[main] ERROR` is not `[ERROR]`.
                return end - open - 1 >= 3 && end - open - 1 <= 8 ? keyword(line, from: open + 1, to: end) : nil
            }
            from = end
        }
        return nil
    }

    private static func keyword(_ line: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Severity? {
        var packed: UInt64 = 0
        for i in start..<end { packed = packed << 8 | UInt64(line[i] | 0x20) }
        for (word, severity) in keywords where word == packed { return severity }
        return nil
    }

    /// Only the keywords logs use for levels: `panic`, `verbose` or `alert` as a first
    /// word is more likely prose.
    private static let keywords: [(UInt64, Severity)] = [
        ("fatal", Severity.critical), ("critical", .critical), ("crit", .critical), ("error", .error), ("err", .error),
        ("warn", .warning), ("warning", .warning), ("notice", .notice), ("info", .info), ("debug", .debug), ("trace", .debug),
    ].map { word, severity in (word.utf8.reduce(0) { $0 << 8 | UInt64($1) }, severity) }

    @inline(__always) private static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
    @inline(__always) private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
}
