import LogshipWire

/// `tcp-format=raw`: the line exactly as the container printed it, LF-terminated.
public struct RawFormatter: Sendable {
    public init() {}

    public func append(_ line: Line, to out: inout [UInt8]) {
        out.append(contentsOf: line.bytes)
        out.append(UInt8(ascii: "\n"))
    }
}
