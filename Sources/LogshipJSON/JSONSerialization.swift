extension JSONValue {
    /// Compact JSON with object keys sorted, so equal values always give equal bytes
    /// (responses and tests compare bytes).
    ///
    /// `.number` text is written as given; it is the builder's job to put a valid
    /// number there.
    public func serialized() -> [UInt8] {
        var output: [UInt8] = []
        output.appendJSON(self)
        return output
    }
}

extension Array where Element == UInt8 {
    public mutating func appendJSON(_ value: JSONValue) {
        switch value {
        case .null:
            append(contentsOf: "null".utf8)
        case .bool(let flag):
            append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let text):
            append(contentsOf: text.utf8)
        case .string(let text):
            appendJSONString(text)
        case .array(let elements):
            append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { append(UInt8(ascii: ",")) }
                appendJSON(element)
            }
            append(UInt8(ascii: "]"))
        case .object(let members):
            append(UInt8(ascii: "{"))
            // By UTF-8 bytes, as Go orders map keys: Swift's `String <` compares by
            // canonical equivalence, which is not a total order on keys that differ
            // only in normalization, so it could not promise equal bytes.
            for (position, member) in members.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
                if position > 0 { append(UInt8(ascii: ",")) }
                appendJSONString(member.key)
                append(UInt8(ascii: ":"))
                appendJSON(member.value)
            }
            append(UInt8(ascii: "}"))
        }
    }
}
