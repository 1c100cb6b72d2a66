import LogshipEvents
import LogshipJSON
import LogshipWire

/// `tcp-format=json`: one JSON object per line (Logstash `json_lines`, Vector
/// `newline_delimited`, Fluent Bit `in_tcp`). The message is JSON-escaped, so a
/// line (or joined lines) can never break the framing, and invalid UTF-8 becomes U+FFFD.
///
/// Keys: time, host, source, level (with `level-from`), container_id, container_name,
/// image_name, image_id, tag, message, fields (with `parse-json`, for a JSON object
/// line: the object as it was, and `message` its `message`/`msg` member), attrs
/// (omitted when empty). All but time, level, message and fields are fixed per stream
/// and rendered once.
public struct JSONLineFormatter: LineFormatter {
    private var timestamps = TimestampWriter(style: .rfc3339Nano)
    /// From after the time up to the opening quote of the message, per source.
    private let middle: FixedBytesBySource
    /// With a level: up to the end of the source, then the level, then the rest.
    private let middleToLevel: FixedBytesBySource
    private let levels: FixedBytesBySeverity
    private let middleAfterLevel: FixedBytes
    private let levelKey: Bool
    /// From the closing quote of the message to the end of the line.
    private let tail: FixedBytes
    /// The same without the closing quote (after fields).
    private let tailAfterFields: FixedBytes

    /// - Parameter levelKey: write the message's severity as `level` (with `level-from`).
    public init(context: FormatContext, levelKey: Bool = false) {
        self.levelKey = levelKey
        func sourcePart(_ source: LogSource) -> [UInt8] {
            var m: [UInt8] = []
            m.append(ascii: "\",\"host\":")
            m.appendJSONString(context.hostname)
            m.append(ascii: ",\"source\":\"")
            m.append(utf8: source == .stderr ? "stderr" : source == .logship ? "logship" : "stdout")
            m.append(UInt8(ascii: "\""))
            return m
        }
        var rest: [UInt8] = []
        rest.append(ascii: ",\"container_id\":")
        rest.appendJSONString(context.containerID)
        rest.append(ascii: ",\"container_name\":")
        rest.appendJSONString(context.containerName)
        rest.append(ascii: ",\"image_name\":")
        rest.appendJSONString(context.imageName)
        rest.append(ascii: ",\"image_id\":")
        rest.appendJSONString(context.imageID)
        rest.append(ascii: ",\"tag\":")
        rest.appendJSONString(context.tag)
        rest.append(ascii: ",\"message\":\"")
        middle = FixedBytesBySource { sourcePart($0) + rest }
        middleToLevel = FixedBytesBySource { sourcePart($0) }
        levels = FixedBytesBySeverity { Array(",\"level\":\"\($0.name)\"".utf8) }
        middleAfterLevel = FixedBytes(rest)
        var t: [UInt8] = []
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
        tailAfterFields = FixedBytes(t)
        tail = FixedBytes([UInt8(ascii: "\"")] + t)
    }

    public mutating func append(_ event: LogEvent, to out: inout [UInt8]) {
        out.append(ascii: "{\"time\":\"")
        timestamps.append(timeNano: event.timeNano, to: &out)
        if levelKey {
            out.append(contentsOf: middleToLevel[event.source])
            out.append(contentsOf: levels[event.severity])
            out.append(contentsOf: middleAfterLevel.bytes)
        } else {
            out.append(contentsOf: middle[event.source])
        }
        guard let fields = event.fields else {
            out.appendJSONStringContents(event.bytes)
            out.append(contentsOf: tail.bytes)
            return
        }
        out.appendJSONStringContents(messageOf: event)
        out.append(ascii: "\",\"fields\":")
        out.appendJSONObject(fields)
        out.append(contentsOf: tailAfterFields.bytes)
    }

    public var headerLength: Int? { nil }
}
