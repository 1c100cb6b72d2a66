/// The syslog header layouts (`syslog-format`).
public enum SyslogFormat: String, Sendable, CaseIterable {
    /// RFC 5424 with microsecond timestamps: logship's default.
    case rfc5424micro
    case rfc5424
    case rfc3164
    /// Docker's legacy default: RFC 3164 without HOSTNAME (what `/dev/log` expects).
    case unix

    var isRFC5424: Bool { self == .rfc5424 || self == .rfc5424micro }
}

/// How messages are delimited on a stream transport (`syslog-framing`).
public enum SyslogFraming: String, Sendable, CaseIterable {
    /// RFC 6587 octet counting, `LEN SP MSG`: RFC 5425 (TLS) and syslog-ng's `syslog()` source.
    case octetCounted = "octet-counted"
    /// Each message ends in LF: rsyslog's and most collectors' plain TCP inputs.
    case nonTransparent = "non-transparent"
}

/// What the formatter puts around each message so that the transport can tell
/// messages apart: not an option of its own, it follows from `syslog-framing` and the
/// address's transport.
public enum SyslogDelimiting: Sendable, Equatable {
    /// A trailing LF: RFC 6587 non-transparent framing, and datagrams as Docker sends them.
    case lineFeed
    /// `LEN SP` before the message (which still ends in LF, as Docker sends it): RFC 6587
    /// octet counting, RFC 5425.
    case octetCounted
    /// The message alone: a RELP `syslog` command carries its length.
    case none
}

/// The syslog facility (`syslog-facility`): a name or a number 0...23.
public struct SyslogFacility: Sendable, Equatable {
    public let code: Int

    public static let names = ["kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
                               "authpriv", "ftp", "ntp", "security", "console", "solaris-cron",
                               "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"]
    /// Names Docker accepts (it has no names for 12...15).
    public static let acceptedNames = names.filter { !["ntp", "security", "console", "solaris-cron"].contains($0) }

    public static let daemon = SyslogFacility(code: 3)!

    public init?(code: Int) {
        guard (0...23).contains(code) else { return nil }
        self.code = code
    }

    /// Parses a name or a decimal number, as Docker's syslog driver does.
    public init?(parsing text: String) {
        if SyslogFacility.acceptedNames.contains(text), let code = SyslogFacility.names.firstIndex(of: text) {
            self.code = code
        } else if let number = Int(text), (0...23).contains(number) {
            self.code = number
        } else {
            return nil
        }
    }
}
