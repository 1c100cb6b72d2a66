import LogshipJSON

/// The members of a line that is one JSON object, in the order they were written, for
/// `parse-json` (members become fields) and `level-from=json` (a member names the level).
public final class JSONLineFields {
    public private(set) var members: [(key: String, value: JSONValue)] = []
    /// The member that is the message: the first of `message` and `msg` whose value is
    /// a string; nil when there is none (then the line itself is the message).
    public private(set) var messageIndex: Int?

    public init() {}

    /// Reads `line`; false (and no members) when it is not a JSON object. Only a line
    /// that starts with `{` and ends with `}` (spaces aside) is parsed at all.
    public func read(_ line: UnsafeRawBufferPointer) -> Bool {
        members.removeAll(keepingCapacity: true)
        messageIndex = nil
        guard JSONLineFields.looksLikeObject(line),
              let parsed = try? JSONParser.parseObjectMembers(line, maxDepth: 32) else { return false }
        members = parsed
        for name in ["message", "msg"] {
            if let index = members.firstIndex(where: { $0.key == name }), members[index].value.string != nil {
                messageIndex = index
                break
            }
        }
        return true
    }

    public var message: String? { messageIndex.flatMap { members[$0].value.string } }

    /// The level a `level`, `severity` or `lvl` member names (in that order of
    /// preference, names in any case), as `SeverityNames` reads words and numbers.
    public var severity: Severity? {
        for name in ["level", "severity", "lvl"] {
            guard let member = members.first(where: { $0.key.lowercased() == name }) else { continue }
            switch member.value {
            case let .string(text): return SeverityNames.word(text)
            case let .number(text): return SeverityNames.number(text)
            default: return nil
            }
        }
        return nil
    }

    @inline(__always)
    static func looksLikeObject(_ line: UnsafeRawBufferPointer) -> Bool {
        var start = 0
        var end = line.count
        while start < end, isSpace(line[start]) { start += 1 }
        while end > start, isSpace(line[end - 1]) { end -= 1 }
        return end - start >= 2 && line[start] == UInt8(ascii: "{") && line[end - 1] == UInt8(ascii: "}")
    }

    @inline(__always)
    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D }
}
