import LogshipEvents
import LogshipJSON

/// How a JSON object line's members are written where a format has no nesting: a
/// string as its text, a number as written, `true`/`false`, and an array or object as
/// its compact JSON (nested objects' keys sorted). Null members are left out.
enum JSONFieldText {
    /// The member's value as text; nil for null.
    static func text(of value: JSONValue) -> String? {
        switch value {
        case .null: return nil
        case let .string(text): return text
        case let .number(text): return text
        case let .bool(flag): return flag ? "true" : "false"
        case .array, .object: return String(decoding: value.serialized(), as: UTF8.self)
        }
    }
}

extension Array where Element == UInt8 {
    /// The members as one JSON object, in the order the line had them.
    mutating func appendJSONObject(_ fields: JSONLineFields) {
        append(UInt8(ascii: "{"))
        for (index, member) in fields.members.enumerated() {
            if index > 0 { append(UInt8(ascii: ",")) }
            appendJSONString(member.key)
            append(UInt8(ascii: ":"))
            appendJSON(member.value)
        }
        append(UInt8(ascii: "}"))
    }

    /// The message of an event: its `message`/`msg` member when it has one, else its text.
    mutating func appendJSONStringContents(messageOf event: LogEvent) {
        if let message = event.fields?.message {
            appendJSONStringContents(message)
        } else {
            appendJSONStringContents(event.bytes)
        }
    }
}
