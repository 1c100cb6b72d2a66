import LogshipWire

/// Formats lines as syslog messages, in Docker's layouts but with the entry's own
/// time, the host's name and `-` as PROCID (protocol reference §10.3).
///
/// Everything but the timestamp and the message is fixed for a stream, so it is
/// rendered once here; a line then costs two copies and a timestamp.
public struct SyslogFormatter: LineFormatter {
    public let format: SyslogFormat
    public let delimiting: SyslogDelimiting
    private var timestamps: TimestampWriter
    /// `<PRI>` (and `1 ` for RFC 5424) for stdout and for stderr.
    private let prefix: FixedBytesBySource
    /// From the space after the timestamp up to where MSG starts.
    private let afterTimestamp: FixedBytes
    private let timestampLength: Int

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
        prefix = FixedBytesBySource { source in
            Array("<\(facility.code * 8 + (source == .stderr ? Severity.error : Severity.info))>\(version)".utf8)
        }
        let host = HeaderField.printableASCII(context.hostname, maxLength: HeaderField.hostnameLimit)
        switch format {
        case .rfc5424, .rfc5424micro:
            let appName = HeaderField.printableASCII(context.tag, maxLength: HeaderField.appNameLimit)
            let msgID = HeaderField.printableASCII(context.tag, maxLength: HeaderField.msgIDLimit)
            let sd = StructuredData.element(id: structuredDataID, attributes: context.attributes)
            afterTimestamp = FixedBytes(" \(host) \(appName) - \(msgID) \(sd) ")
        case .rfc3164:
            let tag = HeaderField.printableASCII(context.tag, maxLength: HeaderField.appNameLimit)
            afterTimestamp = FixedBytes(" \(host) \(tag): ")
        case .unix:
            let tag = HeaderField.printableASCII(context.tag, maxLength: HeaderField.appNameLimit)
            afterTimestamp = FixedBytes(" \(tag): ")
        }
    }

    enum Severity {
        static let info = 6   // stdout
        static let error = 3  // stderr
    }

    /// Bytes a message adds around its line, octet-count prefix excluded: what is left
    /// of a datagram for the line itself.
    public var headerLength: Int? {
        prefix.count + timestampLength + afterTimestamp.count + (delimiting == .none ? 0 : 1)
    }

    /// Appends one complete, framed message for `line`.
    public mutating func append(_ line: Line, to out: inout [UInt8]) {
        let pri = prefix[line.source]
        if delimiting == .octetCounted {
            // Like Docker over TLS: the count includes the trailing LF.
            let length = pri.count + timestampLength + afterTimestamp.count + line.bytes.count + 1
            out.append(decimal: length)
            out.append(UInt8(ascii: " "))
        }
        out.append(contentsOf: pri)
        timestamps.append(timeNano: line.timeNano, to: &out)
        out.append(contentsOf: afterTimestamp.bytes)
        out.append(contentsOf: line.bytes)
        if delimiting != .none { out.append(UInt8(ascii: "\n")) }
    }
}
