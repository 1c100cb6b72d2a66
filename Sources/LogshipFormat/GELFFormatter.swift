import LogshipEvents
import LogshipJSON
import LogshipWire

/// `tcp-format=gelf`: GELF 1.1 messages for a Graylog GELF TCP input, each one a
/// JSON object followed by a NUL byte. Fields follow Docker's gelf driver
/// (`_container_id`, `_container_name`, `_image_id`, `_image_name`, `_command`,
/// `_created`, `_tag`), with attributes as further `_`-prefixed fields.
///
/// With `parse-json`, a JSON object line's `message`/`msg` member is `short_message`
/// and its other members are additional fields: `_` and the name with every character
/// outside `[A-Za-z0-9_.-]` made `_` (GELF's rule; `_id` is `_id_`), strings and numbers
/// as they are, `true`/`false`, arrays and objects as their JSON text; null members,
/// and members whose field the container's own fields already use, are left out.
public struct GELFFormatter: LineFormatter {
    private var timestamps = TimestampWriter(style: .epochMicro)
    private let head: FixedBytes
    /// After the timestamp: `,"level":N` by severity.
    private let levels: FixedBytesBySeverity
    /// The fixed additional fields and the end of the message.
    private let fixed: FixedBytes
    /// The additional field names the fixed part uses.
    private let reservedNames: Set<String>

    public init(context: FormatContext) {
        var h: [UInt8] = []
        h.append(ascii: "{\"version\":\"1.1\",\"host\":")
        h.appendJSONString(context.hostname)
        h.append(ascii: ",\"short_message\":\"")
        head = FixedBytes(h)

        var fixed: [UInt8] = []
        let fields: [(String, String)] = [
            ("_container_id", context.containerID), ("_container_name", context.containerName),
            ("_image_id", context.imageID), ("_image_name", context.imageName),
            ("_command", context.command), ("_created", context.created), ("_tag", context.tag),
        ] + context.attributes.map { ("_" + GELFFormatter.fieldName($0.key), $0.value) }
        var seen = Set<String>()
        for (name, value) in fields where seen.insert(name).inserted {
            fixed.append(UInt8(ascii: ","))
            fixed.appendJSONString(name)
            fixed.append(UInt8(ascii: ":"))
            fixed.appendJSONString(value)
        }
        fixed.append(ascii: "}\0")
        self.fixed = FixedBytes(fixed)
        reservedNames = seen
        levels = FixedBytesBySeverity { Array(",\"level\":\($0.code)".utf8) }
    }

    /// GELF field names are `[\w.-]+`; `_id` is reserved by Graylog.
    static func fieldName(_ key: String) -> String {
        var name = String(key.unicodeScalars.map { scalar -> Character in
            let v = scalar.value
            let ok = (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) || (v >= 0x61 && v <= 0x7A) || v == 0x5F || v == 0x2E || v == 0x2D
            return ok ? Character(scalar) : "_"
        })
        if name == "id" { name = "id_" }
        return name
    }

    public mutating func append(_ event: LogEvent, to out: inout [UInt8]) {
        out.append(contentsOf: head.bytes)
        out.appendJSONStringContents(messageOf: event)
        out.append(ascii: "\",\"timestamp\":")
        timestamps.append(timeNano: event.timeNano, to: &out)
        out.append(contentsOf: levels[event.severity])
        if let fields = event.fields { appendFields(fields, to: &out) }
        out.append(contentsOf: fixed.bytes)
    }

    private func appendFields(_ fields: JSONLineFields, to out: inout [UInt8]) {
        var written = Set<String>()
        for (index, member) in fields.members.enumerated() where index != fields.messageIndex && !member.key.isEmpty {
            let name = "_" + GELFFormatter.fieldName(member.key)
            guard !reservedNames.contains(name), written.insert(name).inserted else { continue }
            switch member.value {
            case .null: continue
            case let .number(text):
                out.append(UInt8(ascii: ","))
                out.appendJSONString(name)
                out.append(UInt8(ascii: ":"))
                out.append(utf8: text)
            default:
                out.append(UInt8(ascii: ","))
                out.appendJSONString(name)
                out.append(UInt8(ascii: ":"))
                out.appendJSONString(JSONFieldText.text(of: member.value)!)
            }
        }
    }

    public var headerLength: Int? { nil }
}
