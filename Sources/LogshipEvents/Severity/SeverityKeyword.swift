/// `level-from=auto`'s last guess: a level keyword at the start of the line, as the
/// first word (`ERROR something`, `Error: something`, `WARN| x`) or in brackets
/// (`[ERROR] something`, `2024-01-01 12:00:00 [warn] x`: the first bracketed word in
/// the first 128 bytes). Keywords, in any case: `FATAL`, `CRITICAL`, `CRIT`, `ERROR`,
/// `ERR`, `WARN`, `WARNING`, `NOTICE`, `INFO`, `DEBUG`, `TRACE`.
public enum SeverityKeyword {
    public static func find(in line: UnsafeRawBufferPointer) -> Severity? {
        if let severity = firstWord(line) { return severity }
        return firstBracketed(line)
    }

    private static func firstWord(_ line: UnsafeRawBufferPointer) -> Severity? {
        var end = 0
        while end < line.count, end < 9, isLetter(line[end]) { end += 1 }
        guard end >= 3, end == line.count || !isLetter(line[end]) && !isDigit(line[end]) else { return nil }
        return keyword(UnsafeRawBufferPointer(rebasing: line[..<end]))
    }

    private static func firstBracketed(_ line: UnsafeRawBufferPointer) -> Severity? {
        let limit = min(line.count, 128)
        var index = 0
        while index < limit {
            if line[index] == UInt8(ascii: "[") {
                var end = index + 1
                while end < limit, isLetter(line[end]) { end += 1 }
                if end < limit, line[end] == UInt8(ascii: "]") {
                    // The first bracketed word decides: `[main] ERROR` is not `[ERROR]`.
                    return keyword(UnsafeRawBufferPointer(rebasing: line[(index + 1)..<end]))
                }
                index = end
            } else {
                index += 1
            }
        }
        return nil
    }

    private static func keyword(_ word: UnsafeRawBufferPointer) -> Severity? {
        // Only the keywords logs use for levels: `panic`, `verbose` or `alert` as a first
        // word is more likely prose.
        guard accepted(word) else { return nil }
        return SeverityNames.word(word)
    }

    private static func accepted(_ word: UnsafeRawBufferPointer) -> Bool {
        let length = word.count
        return keywords.contains { candidate in
            candidate.count == length && zip(candidate, word).allSatisfy { $0 == ($1 >= 0x41 && $1 <= 0x5A ? $1 | 0x20 : $1) }
        }
    }

    private static let keywords: [[UInt8]] = ["fatal", "critical", "crit", "error", "err", "warn", "warning", "notice",
                                              "info", "debug", "trace"].map { Array($0.utf8) }

    @inline(__always) private static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A }
    @inline(__always) private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
}
