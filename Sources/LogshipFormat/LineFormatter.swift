// The LogshipFormat module: turning a line into a framed message (syslog RFC 5424 /
// 3164 / unix, JSON lines, GELF, raw) in reusable byte buffers.

import LogshipWire

/// Something that turns lines into framed messages, appended to an output buffer.
/// Formatters are value types holding per-stream precomputed header parts and a
/// timestamp cache; the plugin keeps each one in place inside a generic output, so
/// the per-line call is direct and copies nothing.
public protocol LineFormatter: Sendable {
    mutating func append(_ line: Line, to out: inout [UInt8])
    /// The bytes a message adds around its line, where a datagram must hold the whole
    /// message; nil when the size does not depend on the line alone.
    var headerLength: Int? { get }
}
