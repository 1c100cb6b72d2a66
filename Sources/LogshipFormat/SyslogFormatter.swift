import LogshipEvents
import LogshipWire

/// Formats messages as syslog messages, in Docker's layouts but with the entry's own
/// time, the host's name and `-` as PROCID (protocol reference §10.3).
///
/// Everything but the PRI, the timestamp and the message is fixed for a stream, so it
/// is rendered once here; a message then costs two copies and a timestamp. A joined
/// message's LFs are sent as they are: streams carrying one are octet-counted (option
/// resolution refuses LF framing with a multi-line option), datagrams hold it whole.
public struct SyslogFormatter: LineFormatter {
    public let format: SyslogFormat
    public let delimiting: SyslogDelimiting
    private var timestamps: TimestampWriter
    /// `<PRI>` (and `1 ` for RFC 5424) for each severity.
    private let prefix: FixedBytesBySeverity
    /// From the space after the timestamp up to where MSG starts.
    private let afterTimestamp: FixedBytes
    private let timestampLength: Int
    /// RFC 5424, for a JSON object line's members (`parse-json`): the header up to
    /// STRUCTURED-DATA, the attributes' element (empty without attributes) and the
    /// SD-ID of the element the members go in.
    private let beforeStructuredData: FixedBytes
    private let attributesElement: FixedBytes
    private let fieldsID: String
    /// Where the structured data of a message with fields is put together.
    private var scratch: [UInt8] = []

    /// RFC 5424's SD-ID for the attributes element. 32473 is the private enterprise
    /// number reserved for documentation (RFC 5612); `syslog-sd-id` changes it.
    public static let defaultStructuredDataID = "logship@32473"

    public init(format: SyslogFormat, facility: SyslogFacility, delimiting: SyslogDelimiting,
                structuredDataID: String = SyslogFormatter.defaultStructuredDataID, context: FormatContext) {
        self.format = format
        self.delimiting = delimiting
        let style: TimestampStyle
        switch format {
        case .rfc5424micro: style = .rfc3339Micro
        case .rfc5424: style = .rfc3339Seconds
        case .rfc3164, .unix: style = .bsd
        }
        timestamps = TimestampWriter(style: style)
        timestampLength = style.fixedLength!
        let version = format.isRFC5424 ? "1 " : ""
        prefix = FixedBytesBySeverity { severity in
            Array("<\(facility.code * 8 + Int(severity.code))>\(version)".utf8)
        }
        let host = HeaderField.printableASCII(context.hostname, maxLength: HeaderField.hostnameLimit)
        let appName = HeaderField.printableASCII(context.tag, maxLength: HeaderField.appNameLimit)
        let msgID = HeaderField.printableASCII(context.tag, maxLength: HeaderField.msgIDLimit)
        beforeStructuredData = FixedBytes(" \(host) \(appName) - \(msgID) ")
        let attributes = StructuredData.element(id: structuredDataID, attributes: context.attributes)
        attributesElement = FixedBytes(attributes == "-" ? "" : attributes)
        fieldsID = StructuredData.fieldsID(for: structuredDataID)
        switch format {
        case .rfc5424, .rfc5424micro:
            afterTimestamp = FixedBytes(" \(host) \(appName) - \(msgID) \(attributes) ")
        case .rfc3164:
            let tag = HeaderField.printableASCII(context.tag, maxLength: HeaderField.appNameLimit)
            afterTimestamp = FixedBytes(" \(host) \(tag): ")
        case .unix:
            let tag = HeaderField.printableASCII(context.tag, maxLength: HeaderField.appNameLimit)
            afterTimestamp = FixedBytes(" \(tag): ")
        }
    }

    /// Bytes a message adds around its text, octet-count prefix excluded: what is left
    /// of a datagram for the text itself.
    public var headerLength: Int? {
        prefix.maxCount + timestampLength + afterTimestamp.count + (delimiting == .none ? 0 : 1)
    }

    /// Appends one complete, framed message for `event`.
    public mutating func append(_ event: LogEvent, to out: inout [UInt8]) {
        if let fields = event.fields, format.isRFC5424 {
            appendWithFields(event, fields, to: &out)
            return
        }
        let pri = prefix[event.severity]
        if delimiting == .octetCounted {
            // Like Docker over TLS: the count includes the trailing LF.
            let length = pri.count + timestampLength + afterTimestamp.count + event.bytes.count + 1
            out.append(decimal: length)
            out.append(UInt8(ascii: " "))
        }
        out.append(contentsOf: pri)
        timestamps.append(timeNano: event.timeNano, to: &out)
        out.append(contentsOf: afterTimestamp.bytes)
        out.append(contentsOf: event.bytes)
        if delimiting != .none { out.append(UInt8(ascii: "\n")) }
    }

    /// RFC 5424 with the members of a JSON object line as the SD-PARAMs of an element
    /// of their own, and its `message`/`msg` member (else the line) as MSG.
    private mutating func appendWithFields(_ event: LogEvent, _ fields: JSONLineFields, to out: inout [UInt8]) {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: attributesElement.bytes)
        StructuredData.appendElement(id: fieldsID, fields, to: &scratch)
        if scratch.isEmpty { scratch.append(UInt8(ascii: "-")) }
        var message = fields.message
        // A JSON string may hold an LF (`"msg":"a\nb"`); with LF delimiting it would end the
        // message there, so it is written as the two characters `\n` the line had.
        if delimiting == .lineFeed, let text = message, text.utf8.contains(UInt8(ascii: "\n")) {
            message = String(decoding: text.utf8.flatMap { $0 == UInt8(ascii: "\n") ? [UInt8(ascii: "\\"), UInt8(ascii: "n")] : [$0] },
                             as: UTF8.self)
        }
        let messageCount = message?.utf8.count ?? event.bytes.count
        let pri = prefix[event.severity]
        if delimiting == .octetCounted {
            let length = pri.count + timestampLength + beforeStructuredData.count + scratch.count + 1 + messageCount + 1
            out.append(decimal: length)
            out.append(UInt8(ascii: " "))
        }
        out.append(contentsOf: pri)
        timestamps.append(timeNano: event.timeNano, to: &out)
        out.append(contentsOf: beforeStructuredData.bytes)
        out.append(contentsOf: scratch)
        out.append(UInt8(ascii: " "))
        if message != nil {
            message!.withUTF8 { out.append(contentsOf: $0) }
        } else {
            out.append(contentsOf: event.bytes)
        }
        if delimiting != .none { out.append(UInt8(ascii: "\n")) }
    }
}
