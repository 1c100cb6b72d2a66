extension JSONParser {
    /// The members of a document that is one JSON object, in the order they are
    /// written; nil when the document is valid JSON but not an object. A repeated key
    /// keeps its first position and its last value (Go's decoder keeps the last value).
    ///
    /// For log lines whose members become fields of their own: a `JSONValue.object`
    /// is a dictionary and would lose the order the application wrote them in.
    public static func parseObjectMembers(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = 64) throws -> [(key: String, value: JSONValue)]? {
        var reader = JSONReader(bytes: bytes, maxDepth: maxDepth)
        reader.skipWhitespace()
        guard reader.current == UInt8(ascii: "{") else {
            _ = try reader.readDocument()
            return nil
        }
        var members: [(key: String, value: JSONValue)] = []
        // Positions by key once there are many: a line of thousands of keys must not
        // cost a quadratic search.
        var positions: [String: Int] = [:]
        try reader.readMembers(depth: 1) { key, value in
            let existing = members.count > 8 ? positions[key] : members.firstIndex { $0.key == key }
            if let existing {
                members[existing].value = value
                return
            }
            members.append((key, value))
            if members.count == 9 {
                for (index, member) in members.enumerated() where positions[member.key] == nil { positions[member.key] = index }
            } else if members.count > 9 {
                positions[key] = members.count - 1
            }
        }
        reader.skipWhitespace()
        guard reader.index == bytes.count else { throw reader.failure("unexpected data after the document") }
        return members
    }
}
