import LogshipJSON
import LogshipWire

/// `tcp-format=json`: one JSON object per line (Logstash `json_lines`, Vector
/// `newline_delimited`, Fluent Bit `in_tcp`). The message is JSON-escaped, so a
/// line can never break the framing, and invalid UTF-8 becomes U+FFFD.
///
/// Keys: time, host, source, container_id, container_name, image_name, image_id,
/// tag, message, attrs (omitted when empty). All but time and message are fixed
/// per stream and rendered once.
public struct JSONLineFormatter: LineFormatter {
    private var timestamps = TimestampWriter(style: .rfc3339Nano)
    /// From after the time up to the opening quote of the message, per source.
    private let middle: FixedBytesBySource
    /// From the closing quote of the message to the end of the line.
    private let tail: FixedBytes

    public init(context: FormatContext) {
        middle = FixedBytesBySource { source in
            var m: [UInt8] = []
            m.append(ascii: "\",\"host\":")
            m.appendJSONString(context.hostname)
            m.append(ascii: ",\"source\":\"")
            m.append(utf8: source == .stderr ? "stderr" : source == .logship ? "logship" : "stdout")
            m.append(ascii: "\",\"container_id\":")
            m.appendJSONString(context.containerID)
            m.append(ascii: ",\"container_name\":")
            m.appendJSONString(context.containerName)
            m.append(ascii: ",\"image_name\":")
            m.appendJSONString(context.imageName)
            m.append(ascii: ",\"image_id\":")
            m.appendJSONString(context.imageID)
            m.append(ascii: ",\"tag\":")
            m.appendJSONString(context.tag)
            m.append(ascii: ",\"message\":\"")
            return m
        }
        var t: [UInt8] = [UInt8(ascii: "\"")]
        if !context.attributes.isEmpty {
            t.append(ascii: ",\"attrs\":{")
            for (index, attribute) in context.attributes.enumerated() {
                if index > 0 { t.append(UInt8(ascii: ",")) }
                t.appendJSONString(attribute.key)
                t.append(UInt8(ascii: ":"))
                t.appendJSONString(attribute.value)
            }
            t.append(UInt8(ascii: "}"))
        }
        t.append(ascii: "}\n")
        tail = FixedBytes(t)
    }

    public mutating func append(_ line: Line, to out: inout [UInt8]) {
        out.append(ascii: "{\"time\":\"")
        timestamps.append(timeNano: line.timeNano, to: &out)
        out.append(contentsOf: middle[line.source])
        out.appendJSONStringContents(line.bytes)
        out.append(contentsOf: tail.bytes)
    }

    public var headerLength: Int? { nil }
}
