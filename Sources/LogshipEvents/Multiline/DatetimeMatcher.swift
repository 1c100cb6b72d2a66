/// Whether a line begins with a timestamp of a compiled `multiline-datetime-format`:
/// the tokens are tried left to right, each at most once and without backtracking
/// (every conversion has a fixed width or a delimiter-free greedy one), so a line
/// costs at most the length of its timestamp.
public struct DatetimeMatcher: Sendable {
    enum Token: Sendable {
        case literal(UInt8)
        /// Exactly `digits` digits whose value is in `range`.
        case number(digits: Int, ClosedRange<Int>)
        /// `%e`: ` 1`…`31`, or 1–2 digits.
        case spacePaddedDay
        /// `%f`: 1–9 digits.
        case fraction
        case words([String])
        /// `%z`: `Z`, `+hh`, `+hhmm` or `+hh:mm` (or `-`).
        case zoneOffset
        /// `%Z`: 2–5 capital letters.
        case zoneName
    }

    let tokens: [Token]

    public func matches(_ line: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        for token in tokens {
            guard let end = match(token, line, at: index) else { return false }
            index = end
        }
        return true
    }

    private func match(_ token: Token, _ line: UnsafeRawBufferPointer, at start: Int) -> Int? {
        switch token {
        case let .literal(byte):
            return start < line.count && line[start] == byte ? start + 1 : nil
        case let .number(digits, range):
            guard let (value, end) = number(line, at: start, minDigits: digits, maxDigits: digits) else { return nil }
            return range.contains(value) ? end : nil
        case .spacePaddedDay:
            let from = start < line.count && line[start] == UInt8(ascii: " ") ? start + 1 : start
            guard let (value, end) = number(line, at: from, minDigits: 1, maxDigits: from > start ? 1 : 2) else { return nil }
            return (1...31).contains(value) ? end : nil
        case .fraction:
            return number(line, at: start, minDigits: 1, maxDigits: 9)?.1
        case let .words(words):
            for word in words {
                let utf8 = word.utf8
                if start + utf8.count <= line.count && utf8.elementsEqual(line[start..<(start + utf8.count)]) {
                    return start + utf8.count
                }
            }
            return nil
        case .zoneOffset:
            guard start < line.count else { return nil }
            if line[start] == UInt8(ascii: "Z") { return start + 1 }
            guard line[start] == UInt8(ascii: "+") || line[start] == UInt8(ascii: "-"),
                  let (_, hours) = number(line, at: start + 1, minDigits: 2, maxDigits: 2) else { return nil }
            let colon = hours < line.count && line[hours] == UInt8(ascii: ":") ? hours + 1 : hours
            if let (_, minutes) = number(line, at: colon, minDigits: 2, maxDigits: 2) { return minutes }
            return hours
        case .zoneName:
            var end = start
            while end < line.count, end - start < 5, line[end] >= 0x41, line[end] <= 0x5A { end += 1 }
            return end - start >= 2 ? end : nil
        }
    }

    private func number(_ line: UnsafeRawBufferPointer, at start: Int, minDigits: Int, maxDigits: Int) -> (Int, Int)? {
        var value = 0
        var end = start
        while end < line.count, end - start < maxDigits, line[end] >= 0x30, line[end] <= 0x39 {
            value = value * 10 + Int(line[end] - 0x30)
            end += 1
        }
        return end - start >= minDigits ? (value, end) : nil
    }
}
