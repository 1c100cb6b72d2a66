import LogshipWire

/// One formatter of any kind, chosen per destination of a stream. An enum rather
/// than a protocol existential so the per-line call is a switch, not a witness call.
public enum MessageFormatter: Sendable {
    case syslog(SyslogFormatter)
    case json(JSONLineFormatter)
    case gelf(GELFFormatter)
    case raw(RawFormatter)

    @inline(__always)
    public mutating func append(_ line: Line, to out: inout [UInt8]) {
        switch self {
        case var .syslog(f):
            f.append(line, to: &out)
            self = .syslog(f)
        case var .json(f):
            f.append(line, to: &out)
            self = .json(f)
        case var .gelf(f):
            f.append(line, to: &out)
            self = .gelf(f)
        case let .raw(f):
            f.append(line, to: &out)
        }
    }

    /// The bytes a message adds around its line, where a datagram must hold the whole
    /// message; nil when the size does not depend on the line alone.
    public var headerLength: Int? {
        if case let .syslog(f) = self { return f.headerLength }
        return nil
    }
}
