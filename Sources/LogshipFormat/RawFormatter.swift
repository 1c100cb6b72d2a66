import LogshipWire

/// `tcp-format=raw`: the line exactly as the container printed it, LF-terminated.
public struct RawFormatter: LineFormatter {
    public init() {}

    public mutating func append(_ line: Line, to out: inout [UInt8]) {
        out.append(contentsOf: line.bytes)
        out.append(UInt8(ascii: "\n"))
    }

    public var headerLength: Int? { nil }
}
