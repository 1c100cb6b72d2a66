/// A strict RFC 8259 reader for request bodies.
///
/// It is fed by whoever can reach the plugin socket, so it must reject rather than
/// guess, never trap, and bound its recursion: `maxDepth` caps array/object nesting.
public enum JSONParser {
    public static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 64) throws -> JSONValue {
        var reader = JSONReader(bytes: bytes, maxDepth: maxDepth)
        return try reader.readDocument()
    }

    public static func parse(_ bytes: [UInt8], maxDepth: Int = 64) throws -> JSONValue {
        try bytes.withUnsafeBytes { try parse($0, maxDepth: maxDepth) }
    }
}

/// The recursive-descent state: a cursor over the input.
struct JSONReader {
    let bytes: UnsafeRawBufferPointer
    let maxDepth: Int
    var index = 0

    init(bytes: UnsafeRawBufferPointer, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    mutating func readDocument() throws(JSONError) -> JSONValue {
        skipWhitespace()
        let value = try readValue(depth: 0)
        skipWhitespace()
        guard index == bytes.count else { throw failure("unexpected data after the document") }
        return value
    }

    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    func failure(_ reason: String) -> JSONError {
        JSONError(offset: index, reason: index < bytes.count ? reason : "unexpected end of input")
    }

    mutating func skipWhitespace() {
        while let byte = current,
              byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\t") {
            index += 1
        }
    }

    mutating func readValue(depth: Int) throws(JSONError) -> JSONValue {
        guard let byte = current else { throw failure("expected a value") }
        switch byte {
        case UInt8(ascii: "{"): return try readObject(depth: depth + 1)
        case UInt8(ascii: "["): return try readArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): try readLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try readLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try readLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try readNumber())
        default: throw failure("expected a value")
        }
    }

    mutating func readObject(depth: Int) throws(JSONError) -> JSONValue {
        var members: [String: JSONValue] = [:]
        // A repeated key keeps its last value, as Go's decoder does.
        try readMembers(depth: depth) { key, value in members[key] = value }
        return .object(members)
    }

    /// Reads an object's members (the reader is at its `{`), handing each key and value
    /// to `member` in the order they are written.
    mutating func readMembers(depth: Int, _ member: (String, JSONValue) -> Void) throws(JSONError) {
        try readElements(closing: "}", in: "an object", depth: depth) { parser throws(JSONError) in
            guard parser.current == UInt8(ascii: "\"") else { throw parser.failure("expected a string key") }
            let key = try parser.readString()
            parser.skipWhitespace()
            guard parser.current == UInt8(ascii: ":") else { throw parser.failure("expected ':' after a key") }
            parser.index += 1
            parser.skipWhitespace()
            member(key, try parser.readValue(depth: depth))
        }
    }

    mutating func readArray(depth: Int) throws(JSONError) -> JSONValue {
        var elements: [JSONValue] = []
        try readElements(closing: "]", in: "an array", depth: depth) { parser throws(JSONError) in
            elements.append(try parser.readValue(depth: depth))
        }
        return .array(elements)
    }

    /// The comma-separated elements of an object or array, from its opening bracket
    /// through `closing`; `readElement` reads one.
    mutating func readElements(closing: Unicode.Scalar, in container: String, depth: Int,
                                       _ readElement: (inout JSONReader) throws(JSONError) -> Void) throws(JSONError) {
        guard depth <= maxDepth else { throw failure("nesting deeper than \(maxDepth)") }
        index += 1
        skipWhitespace()
        if current == UInt8(ascii: closing) {
            index += 1
            return
        }
        while true {
            try readElement(&self)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: closing):
                index += 1
                return
            default:
                throw failure("expected ',' or '\(closing)' in \(container)")
            }
        }
    }

    mutating func readLiteral(_ literal: StaticString) throws(JSONError) {
        let expected = UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        for byte in expected {
            guard current == byte else { throw failure("invalid literal") }
            index += 1
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, kept as text.
    mutating func readNumber() throws(JSONError) -> String {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        if current == UInt8(ascii: "0") {
            index += 1
        } else {
            try readDigits()
        }
        if current == UInt8(ascii: ".") {
            index += 1
            try readDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            try readDigits()
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    private mutating func readDigits() throws(JSONError) {
        guard let first = current, isDigit(first) else { throw failure("expected a digit") }
        index += 1
        while let byte = current, isDigit(byte) { index += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
