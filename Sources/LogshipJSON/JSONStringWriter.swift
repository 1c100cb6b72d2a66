extension Array where Element == UInt8 {
    /// Appends `bytes` as a quoted JSON string; see `appendJSONStringContents`.
    public mutating func appendJSONString(_ bytes: UnsafeRawBufferPointer) {
        append(UInt8(ascii: "\""))
        appendJSONStringContents(bytes)
        append(UInt8(ascii: "\""))
    }

    public mutating func appendJSONString(_ string: String) {
        append(UInt8(ascii: "\""))
        appendJSONStringContents(string)
        append(UInt8(ascii: "\""))
    }

    public mutating func appendJSONStringContents(_ string: String) {
        var string = string
        string.withUTF8 { appendJSONStringContents(UnsafeRawBufferPointer($0)) }
    }

    /// Appends `bytes` escaped for the inside of a JSON string, without the quotes.
    ///
    /// Log lines are arbitrary bytes, so every ill-formed UTF-8 unit becomes U+FFFD
    /// (maximal subparts, as a browser or Go would do) and the output is always valid
    /// JSON. Runs that need no change are copied in one piece: this formats every line
    /// of the json and gelf outputs.
    public mutating func appendJSONStringContents(_ bytes: UnsafeRawBufferPointer) {
        let count = bytes.count
        var runStart = 0
        var index = 0
        while true {
            index = JSONEscaping.endOfPlainASCII(in: bytes, from: index)
            guard index < count else { break }
            let byte = bytes[index]
            if byte >= 0x80 {
                let sequence = UTF8Sequence.at(index, in: bytes)
                if sequence.isValid {
                    index += sequence.length
                    continue
                }
                appendRun(bytes, from: runStart, to: index)
                append(replacementCharacterUTF8.0)
                append(replacementCharacterUTF8.1)
                append(replacementCharacterUTF8.2)
                index += sequence.length
            } else {
                appendRun(bytes, from: runStart, to: index)
                appendEscape(for: byte)
                index += 1
            }
            runStart = index
        }
        appendRun(bytes, from: runStart, to: count)
    }

    @inline(__always)
    private mutating func appendRun(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) {
        guard start < end else { return }
        append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
    }

    private mutating func appendEscape(for byte: UInt8) {
        append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): append(UInt8(ascii: "\\"))
        case 0x08: append(UInt8(ascii: "b"))
        case 0x0C: append(UInt8(ascii: "f"))
        case 0x0A: append(UInt8(ascii: "n"))
        case 0x0D: append(UInt8(ascii: "r"))
        case 0x09: append(UInt8(ascii: "t"))
        default:
            append(UInt8(ascii: "u"))
            append(UInt8(ascii: "0"))
            append(UInt8(ascii: "0"))
            append(JSONEscaping.hexDigits[Int(byte >> 4)])
            append(JSONEscaping.hexDigits[Int(byte & 0x0F)])
        }
    }
}

/// The scan that finds where a run of bytes needing no escape ends.
enum JSONEscaping {
    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Returns the index of the first byte at or after `start` that is not printable
    /// ASCII other than `"` and `\`: a control character, a quote, a backslash or the
    /// start of a multi-byte (or ill-formed) UTF-8 sequence.
    ///
    /// Eight bytes are tested per step with the SWAR "has a byte less than / equal to"
    /// tricks, each of which is exact as a yes/no answer for the word.
    @inline(__always)
    static func endOfPlainASCII(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        let count = bytes.count
        var index = start
        while index + 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            if wordNeedsAttention(word) { break }
            index += 8
        }
        while index < count, isPlain(bytes[index]) { index += 1 }
        return index
    }

    @inline(__always)
    static func isPlain(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte < 0x80 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
    }

    @inline(__always)
    static func wordNeedsAttention(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let quotes = word ^ (ones &* 0x22)
        let backslashes = word ^ (ones &* 0x5C)
        let belowSpace = (word &- (ones &* 0x20)) & ~word
        let isQuote = (quotes &- ones) & ~quotes
        let isBackslash = (backslashes &- ones) & ~backslashes
        return (belowSpace | isQuote | isBackslash | word) & highBits != 0
    }
}
