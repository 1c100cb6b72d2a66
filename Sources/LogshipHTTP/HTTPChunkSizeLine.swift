/// `chunk-size [ chunk-ext ] CRLF` (RFC 9112 §7.1).
enum HTTPChunkSizeLine {
    /// Parses a line without its LF. A size too large to represent is pinned at
    /// `Int.max`, so it is still a size and the caller refuses it with 413.
    /// Extensions are checked for stray control characters and otherwise ignored.
    static func parse(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> Int {
        let line = try HTTPLines.stripCarriageReturn(line)
        var size = 0
        var index = line.startIndex
        while index < line.endIndex, let digit = hexValue(line[index]) {
            size = size > (Int.max - digit) / 16 ? Int.max : size * 16 + digit
            index += 1
        }
        guard index > line.startIndex else { throw .badRequest("invalid chunk size") }
        while index < line.endIndex, line[index] == space || line[index] == tab { index += 1 }
        guard index == line.endIndex || line[index] == UInt8(ascii: ";") else { throw .badRequest("invalid chunk size") }
        guard line[index...].allSatisfy({ $0 == tab || ($0 >= space && $0 != 0x7F) }) else {
            throw .badRequest("invalid chunk extension")
        }
        return size
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}
