/// Where a destination sends: one address of `syslog-address` or `tcp-address`.
///
/// Host names stay names here; they are resolved at each connect, never once for good.
public enum Endpoint: Hashable, Sendable, CustomStringConvertible {
    case udp(host: String, port: UInt16)
    case tcp(host: String, port: UInt16)
    case unixStream(path: String)
    case unixDatagram(path: String)

    public var isDatagram: Bool {
        switch self {
        case .udp, .unixDatagram: return true
        case .tcp, .unixStream: return false
        }
    }

    public var description: String {
        switch self {
        case let .udp(host, port): return "udp://\(Endpoint.hostPort(host, port))"
        case let .tcp(host, port): return "tcp://\(Endpoint.hostPort(host, port))"
        case let .unixStream(path): return "unix://\(path)"
        case let .unixDatagram(path): return "unixgram://\(path)"
        }
    }

    private static func hostPort(_ host: String, _ port: UInt16) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
