// The LogshipFormat module: turning a message into a framed one (syslog RFC 5424 /
// 3164 / unix, JSON lines, GELF, raw) in reusable byte buffers.

import LogshipEvents
import LogshipWire

/// Something that turns messages into framed ones, appended to an output buffer.
/// Formatters are value types holding per-stream precomputed header parts and a
/// timestamp cache; the plugin keeps each one in place inside a generic output, so
/// the per-message call is direct and copies nothing.
public protocol LineFormatter: Sendable {
    mutating func append(_ event: LogEvent, to out: inout [UInt8])
    /// The bytes a message adds around its text, where a datagram must hold the whole
    /// message; nil when the size does not depend on the text alone.
    var headerLength: Int? { get }
}

extension LineFormatter {
    /// A line as its own message, at its stream's severity.
    @inline(__always)
    public mutating func append(_ line: Line, to out: inout [UInt8]) {
        append(LogEvent(line), to: &out)
    }
}
