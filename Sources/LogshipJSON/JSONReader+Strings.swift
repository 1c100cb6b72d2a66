extension JSONReader {
    /// Reads a string starting at its opening quote.
    ///
    /// Strings without escapes or ill-formed UTF-8 (nearly all of them) become a
    /// `String` straight from the input; the others are rebuilt byte by byte.
    mutating func readString() throws(JSONError) -> String {
        index += 1
        let start = index
        while let byte = current {
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            if byte >= 0x80 {
                let sequence = UTF8Sequence.at(index, in: bytes)
                guard sequence.isValid else { break }
                index += sequence.length
            } else {
                index += 1
            }
        }
        var decoded = Array(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        return try readStringRemainder(into: &decoded)
    }

    private mutating func readStringRemainder(into decoded: inout [UInt8]) throws(JSONError) -> String {
        while let byte = current {
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: decoded, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try readEscape(into: &decoded)
            case 0..<0x20:
                throw failure("control character in a string")
            case 0x80...:
                let sequence = UTF8Sequence.at(index, in: bytes)
                if sequence.isValid {
                    decoded.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<index + sequence.length]))
                } else {
                    appendReplacementCharacter(to: &decoded)
                }
                index += sequence.length
            default:
                decoded.append(byte)
                index += 1
            }
        }
        throw failure("unterminated string")
    }

    private mutating func readEscape(into decoded: inout [UInt8]) throws(JSONError) {
        index += 1
        guard let letter = current else { throw failure("unterminated string") }
        let simple: UInt8?
        switch letter {
        case UInt8(ascii: "\""): simple = UInt8(ascii: "\"")
        case UInt8(ascii: "\\"): simple = UInt8(ascii: "\\")
        case UInt8(ascii: "/"): simple = UInt8(ascii: "/")
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"): simple = nil
        default: throw failure("invalid escape")
        }
        if let simple {
            decoded.append(simple)
            index += 1
            return
        }
        index -= 1
        let unit = try readUnicodeEscape()
        switch unit {
        case 0xD800...0xDBFF:
            // A high surrogate counts only when a low one follows; otherwise it stands
            // alone and becomes U+FFFD, and whatever follows is read normally.
            let afterHigh = index
            if let low = try? readUnicodeEscape(), (0xDC00...0xDFFF).contains(low) {
                let scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                appendScalar(scalar, to: &decoded)
            } else {
                index = afterHigh
                appendReplacementCharacter(to: &decoded)
            }
        case 0xDC00...0xDFFF:
            appendReplacementCharacter(to: &decoded)
        default:
            appendScalar(unit, to: &decoded)
        }
    }

    /// Reads `\uXXXX` starting at the backslash; returns the code unit.
    private mutating func readUnicodeEscape() throws(JSONError) -> UInt32 {
        guard current == UInt8(ascii: "\\") else { throw failure("expected \\u") }
        index += 1
        guard current == UInt8(ascii: "u") else { throw failure("expected \\u") }
        index += 1
        var unit: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = current, let digit = hexValue(byte) else { throw failure("invalid \\u escape") }
            unit = unit << 4 | digit
            index += 1
        }
        return unit
    }

    private func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    private func appendScalar(_ value: UInt32, to decoded: inout [UInt8]) {
        guard let scalar = Unicode.Scalar(value) else {
            appendReplacementCharacter(to: &decoded)
            return
        }
        UTF8.encode(scalar) { decoded.append($0) }
    }

    private func appendReplacementCharacter(to decoded: inout [UInt8]) {
        decoded.append(replacementCharacterUTF8.0)
        decoded.append(replacementCharacterUTF8.1)
        decoded.append(replacementCharacterUTF8.2)
    }
}
