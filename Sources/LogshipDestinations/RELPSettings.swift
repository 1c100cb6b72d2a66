/// How a `relp://` or `relp+tls://` destination runs its RELP sessions.
///
/// Part of the endpoint's identity, like TLS settings: streams that ask for another
/// window or other certificates never share a session.
public struct RELPSettings: Hashable, Sendable {
    /// How many `syslog` commands may wait for their answer at once (`syslog-relp-window`).
    /// librelp's (and so omrelp's) default: deep enough to keep rsyslog's imrelp busy,
    /// small enough that a broken session resends little.
    public var window: Int
    /// TLS under the session (`relp+tls://`); nil for plain TCP.
    public var tls: TLSSettings?

    public static let defaultWindow = 128
    /// The largest window accepted: RELP allows any, but everything in flight is resent
    /// after a broken session, and a receiver holds an answer for each.
    public static let maximumWindow = 65_536

    public init(window: Int = RELPSettings.defaultWindow, tls: TLSSettings? = nil) {
        self.window = window
        self.tls = tls
    }

    /// What differs from the defaults, for descriptions (`?window=…` and the TLS options).
    func nonDefaultOptions(host: String) -> [(String, String)] {
        var options = tls?.nonDefaultOptions(host: host) ?? []
        if window != RELPSettings.defaultWindow { options.append(("window", String(window))) }
        return options
    }
}
