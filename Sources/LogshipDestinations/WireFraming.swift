/// How messages are delimited on a destination's connection. It is part of the
/// destination's identity: two streams that name the same address but delimit their
/// messages differently (GELF's NUL and raw LF lines, octet counting and LF) must never
/// share a connection, or the receiver reads one broken frame out of both.
public enum WireFraming: String, Hashable, Sendable, CaseIterable {
    /// Syslog over UDP or unixgram: one message per datagram.
    case syslogDatagram = "syslog-datagram"
    /// Syslog, each message ending in LF (RFC 6587 non-transparent framing).
    case syslogLineFeed = "syslog-lf"
    /// Syslog, `LEN SP MSG` (RFC 6587 octet counting, RFC 5425).
    case syslogOctetCounted = "syslog-octet-counted"
    /// Syslog over RELP: each message the data of a `syslog` command, which carries its
    /// length (no LF, no octet count).
    case syslogRELP = "syslog-relp"
    /// `tcp-format=json`: one JSON object per line.
    case jsonLines = "json"
    /// `tcp-format=raw`: the line itself and LF.
    case rawLines = "raw"
    /// `tcp-format=gelf`: GELF 1.1 objects, each followed by NUL.
    case gelf
    /// A spool left by a version that did not record the framing: its messages are
    /// delivered as they were written, on a connection of their own.
    case unrecorded
}
