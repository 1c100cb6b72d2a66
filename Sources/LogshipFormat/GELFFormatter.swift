import LogshipJSON
import LogshipWire

/// `tcp-format=gelf`: GELF 1.1 messages for a Graylog GELF TCP input, each one a
/// JSON object followed by a NUL byte. Fields follow Docker's gelf driver
/// (`_container_id`, `_container_name`, `_image_id`, `_image_name`, `_command`,
/// `_created`, `_tag`), with attributes as further `_`-prefixed fields.
public struct GELFFormatter: LineFormatter {
    private var timestamps = TimestampWriter(style: .epochMicro)
    private let head: FixedBytes
    /// After the timestamp: level (per source) and the fixed additional fields.
    private let tail: FixedBytesBySource

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
        tail = FixedBytesBySource { source in
            var t: [UInt8] = []
            t.append(ascii: ",\"level\":")
            t.append(decimal: SyslogFormatter.Severity.of(source))
            return t + fixed
        }
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

    public mutating func append(_ line: Line, to out: inout [UInt8]) {
        out.append(contentsOf: head.bytes)
        out.appendJSONStringContents(line.bytes)
        out.append(ascii: "\",\"timestamp\":")
        timestamps.append(timeNano: line.timeNano, to: &out)
        out.append(contentsOf: tail[line.source])
    }

    public var headerLength: Int? { nil }
}
