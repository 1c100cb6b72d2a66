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

    public var isDatagram: Bool {
        switch self {
        case .udp, .unixDatagram: return true
        case .tcp, .tls, .unixStream: return false
        }
    }

    public var isTLS: Bool {
        if case .tls = self { return true }
        return false
    }

    /// The address as an option would give it. A TLS endpoint adds what differs from
    /// the defaults, URL-query style, so two of them never print (or key a spool) alike.
    public var description: String {
        switch self {
        case let .udp(host, port): return "udp://\(Endpoint.hostPort(host, port))"
        case let .tcp(host, port): return "tcp://\(Endpoint.hostPort(host, port))"
        case let .tls(host, port, settings):
            let options = settings.nonDefaultOptions(host: host)
            let query = options.isEmpty ? "" : "?" + options.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
            return "tcp+tls://\(Endpoint.hostPort(host, port))\(query)"
        case let .unixStream(path): return "unix://\(path)"
        case let .unixDatagram(path): return "unixgram://\(path)"
        }
    }

    /// The host name and port of a network endpoint, looked up again periodically.
    package var hostAndPort: (String, UInt16)? {
        switch self {
        case let .udp(host, port), let .tcp(host, port), let .tls(host, port, _): return (host, port)
        case .unixStream, .unixDatagram: return nil
        }
    }

    private static func hostPort(_ host: String, _ port: UInt16) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
