// The LogshipEvents module: from lines to the messages that are sent. Lines are joined
// into multi-line messages (a pattern, a timestamp format or built-in recognisers of
// stack traces), their severity is read from the line, and a JSON object line is read
// into fields. Pure: no I/O and no clock (the caller passes the time), so option
// resolution can compile and check the same matchers the streams run.

import LogshipWire

/// A syslog severity, 0 (emerg) to 7 (debug): what `level-from` reads from a line and
/// every format writes (syslog PRI, GELF `level`, JSON `level`).
public struct Severity: Equatable, Hashable, Sendable, Comparable {
    public let code: UInt8

    public init?(code: Int) {
        guard (0...7).contains(code) else { return nil }
        self.code = UInt8(code)
    }

    private init(_ code: UInt8) { self.code = code }

    public static let emergency = Severity(0)
    public static let alert = Severity(1)
    public static let critical = Severity(2)
    public static let error = Severity(3)
    public static let warning = Severity(4)
    public static let notice = Severity(5)
    public static let info = Severity(6)
    public static let debug = Severity(7)

    /// Docker's severities: stdout lines are info, stderr lines err; logship's own messages
    /// in a container's stream (drop notices) are warnings.
    @inline(__always)
    public static func of(_ source: LogSource) -> Severity {
        switch source {
        case .stderr: return .error
        case .logship: return .warning
        case .stdout, .other: return .info
        }
    }

    /// The syslog keyword (RFC 5424 table 2's short names, as rsyslog prints them).
    public var name: String { Severity.names[Int(code)] }

    public static let names = ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"]

    public static func < (a: Severity, b: Severity) -> Bool { a.code < b.code }
}
