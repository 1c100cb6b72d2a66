import LogshipEvents

/// `tcp-format=raw`: the line exactly as the container printed it, LF-terminated.
/// (Multi-line joining is refused with it: the LFs would split the message again.)
public struct RawFormatter: LineFormatter {
    public init() {}

    public mutating func append(_ event: LogEvent, to out: inout [UInt8]) {
        out.append(contentsOf: event.bytes)
        out.append(UInt8(ascii: "\n"))
    }

    public var headerLength: Int? { nil }
}
