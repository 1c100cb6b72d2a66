/// Where a destination sends: one address of `syslog-address` or `tcp-address`.
///
/// Host names stay names here; they are resolved at each connect, never once for good.
public enum Endpoint: Hashable, Sendable, CustomStringConvertible {
    case udp(host: String, port: UInt16)
    case tcp(host: String, port: UInt16)
    /// TCP with TLS on top (`tcp+tls://`). The settings are part of the identity, so
    /// destinations that trust or present different certificates never share a connection.
    case tls(host: String, port: UInt16, settings: TLSSettings)
    case unixStream(path: String)
    case unixDatagram(path: String)
    /// Syslog over RELP (`relp://`, `relp+tls://` when the settings carry TLS): every
    /// message is held until the receiver acknowledges it.
    case relp(host: String, port: UInt16, settings: RELPSettings)

    public var isDatagram: Bool {
        switch self {
        case .udp, .unixDatagram: return true
        case .tcp, .tls, .unixStream, .relp: return false
        }
    }

    public var isTLS: Bool { tlsSettings != nil }

    public var isRELP: Bool {
        if case .relp = self { return true }
        return false
    }

    /// The TLS settings of a `tcp+tls://` or `relp+tls://` endpoint.
    public var tlsSettings: TLSSettings? {
        switch self {
        case let .tls(_, _, settings): return settings
        case let .relp(_, _, settings): return settings.tls
        case .udp, .tcp, .unixStream, .unixDatagram: return nil
        }
    }

    /// The same endpoint with other TLS settings (the TLS options applied); unchanged
    /// when it has no TLS.
    public func replacingTLSSettings(_ settings: TLSSettings) -> Endpoint {
        switch self {
        case let .tls(host, port, _): return .tls(host: host, port: port, settings: settings)
        case let .relp(host, port, relp) where relp.tls != nil:
            var changed = relp
            changed.tls = settings
            return .relp(host: host, port: port, settings: changed)
        default: return self
        }
    }

    /// The address as an option would give it. A TLS endpoint adds what differs from
    /// the defaults, URL-query style, so two of them never print (or key a spool) alike.
    public var description: String {
        switch self {
        case let .udp(host, port): return "udp://\(Endpoint.hostPort(host, port))"
        case let .tcp(host, port): return "tcp://\(Endpoint.hostPort(host, port))"
        case let .tls(host, port, settings):
            return "tcp+tls://\(Endpoint.hostPort(host, port))\(Endpoint.query(settings.nonDefaultOptions(host: host)))"
        case let .relp(host, port, settings):
            let scheme = settings.tls == nil ? "relp" : "relp+tls"
            return "\(scheme)://\(Endpoint.hostPort(host, port))\(Endpoint.query(settings.nonDefaultOptions(host: host)))"
        case let .unixStream(path): return "unix://\(path)"
        case let .unixDatagram(path): return "unixgram://\(path)"
        }
    }

    /// The host name and port of a network endpoint, looked up again periodically.
    package var hostAndPort: (String, UInt16)? {
        switch self {
        case let .udp(host, port), let .tcp(host, port), let .tls(host, port, _), let .relp(host, port, _): return (host, port)
        case .unixStream, .unixDatagram: return nil
        }
    }

    private static func query(_ options: [(String, String)]) -> String {
        options.isEmpty ? "" : "?" + options.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    private static func hostPort(_ host: String, _ port: UInt16) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
