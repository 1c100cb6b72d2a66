import LogshipDestinations
import LogshipDestinations

/// Parses `syslog-address` / `tcp-address` URLs into endpoints, with Docker's
/// syslog rules: schemes udp, tcp, tcp+tls, unix, unixgram; port 514 when absent
/// (syslog only, tcp+tls included); the URL path ignored for network schemes.
/// logship adds relp and relp+tls for syslog, with no default port: RELP has none
/// (rsyslog's examples use 2514 and 20514), so a guess would only hide a mistake.
/// A TLS endpoint comes back with default TLS settings (verification on, server
/// name = host); the TLS options fill them in (TLSOptionResolution.swift), and the
/// RELP window option the window (RELPOptionResolution.swift).
enum AddressParser {
    /// Several addresses separated by commas: the first is the primary, the others
    /// are tried in order when it is down. They must all be datagram or all stream
    /// transports, since a destination has one framing.
    static func list(_ text: String, _ option: LogOption, _ source: ValueSource,
                     _ parse: (String) throws(OptionError) -> Endpoint) throws(OptionError) -> EndpointList {
        var endpoints: [Endpoint] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let address = String(part.filter { $0 != " " })
            guard !address.isEmpty else {
                throw .invalid(option, text, source: source, expected: "an empty address in the list; separate addresses with single commas")
            }
            endpoints.append(try parse(address))
        }
        if Set(endpoints.map(\.isDatagram)).count > 1 {
            throw .invalid(option, text, source: source, expected: "addresses of one list must all be datagram (udp, unixgram) or all stream (tcp, unix) transports")
        }
        if Set(endpoints.map(\.isRELP)).count > 1 {
            throw .invalid(option, text, source: source, expected: "relp addresses cannot share a list with other transports: a fail-over would frame the messages differently and give up the acknowledgements")
        }
        if Set(endpoints.map(\.isTLS)).count > 1 {
            throw .invalid(option, text, source: source, expected: "TLS addresses (tcp+tls, relp+tls) cannot share a list with unencrypted ones: a fail-over would send the logs in clear")
        }
        if Set(endpoints).count != endpoints.count {
            throw .invalid(option, text, source: source, expected: "an address appears twice in the list")
        }
        return EndpointList(endpoints)
    }

    static func syslog(_ text: String, _ option: LogOption, _ source: ValueSource) throws(OptionError) -> Endpoint {
        let accepted = "expected udp://host[:port], tcp://host[:port], tcp+tls://host[:port], relp://host:port, relp+tls://host:port, unix:///path or unixgram:///path"
        guard let (scheme, rest) = splitScheme(text) else { throw .invalid(option, text, source: source, expected: accepted) }
        switch scheme {
        case "relp", "relp+tls":
            let (host, port) = try hostPort(rest, defaultPort: nil, text, option, source)
            return .relp(host: host, port: port, settings: RELPSettings(tls: scheme == "relp" ? nil : TLSSettings(serverName: host)))
        case "udp", "tcp", "tcp+tls":
            let (host, port) = try hostPort(rest, defaultPort: 514, text, option, source)
            switch scheme {
            case "udp": return .udp(host: host, port: port)
            case "tcp": return .tcp(host: host, port: port)
            default: return .tls(host: host, port: port, settings: TLSSettings(serverName: host))
            }
        case "unix", "unixgram":
            let path = try socketPath(rest, text, option, source)
            return scheme == "unix" ? .unixStream(path: path) : .unixDatagram(path: path)
        default:
            throw .invalid(option, text, source: source, expected: "unsupported scheme \"\(scheme)\"; \(accepted)")
        }
    }

    static func tcp(_ text: String, _ option: LogOption, _ source: ValueSource) throws(OptionError) -> Endpoint {
        let accepted = "expected tcp://host:port or tcp+tls://host:port"
        guard let (scheme, rest) = splitScheme(text) else { throw .invalid(option, text, source: source, expected: accepted) }
        switch scheme {
        case "tcp":
            let (host, port) = try hostPort(rest, defaultPort: nil, text, option, source)
            return .tcp(host: host, port: port)
        case "tcp+tls":
            let (host, port) = try hostPort(rest, defaultPort: nil, text, option, source)
            return .tls(host: host, port: port, settings: TLSSettings(serverName: host))
        default:
            throw .invalid(option, text, source: source, expected: "unsupported scheme \"\(scheme)\"; \(accepted)")
        }
    }

    private static func splitScheme(_ text: String) -> (String, Substring)? {
        guard let range = text.firstRange(of: "://") else { return nil }
        return (text[..<range.lowerBound].lowercased(), text[range.upperBound...])
    }

    private static func hostPort(_ rest: Substring, defaultPort: UInt16?, _ text: String, _ option: LogOption,
                                 _ source: ValueSource) throws(OptionError) -> (String, UInt16) {
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw .invalid(option, text, source: source, expected: "unclosed \"[\" in IPv6 address")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty {
                throw .invalid(option, text, source: source, expected: "unexpected \"\(after)\" after the IPv6 address")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw .invalid(option, text, source: source, expected: "the host is missing") }
        guard let portText else {
            guard let defaultPort else {
                let scheme = text.prefix { $0 != ":" }
                let why = scheme.lowercased().hasPrefix("relp") ? ": RELP has no default port (rsyslog's imrelp examples use 2514 or 20514)" : ""
                throw .invalid(option, text, source: source, expected: "the port is missing (\(scheme)://host:port)\(why)")
            }
            return (String(host), defaultPort)
        }
        guard let port = UInt16(portText), port > 0 else {
            throw .invalid(option, text, source: source, expected: "the port must be a number from 1 to 65535")
        }
        return (String(host), port)
    }

    private static func socketPath(_ rest: Substring, _ text: String, _ option: LogOption, _ source: ValueSource) throws(OptionError) -> String {
        guard rest.hasPrefix("/") else {
            throw .invalid(option, text, source: source, expected: "the socket path must be absolute, as seen inside the plugin (unix:///host/run/...)")
        }
        guard rest.utf8.count < 108 else {
            throw .invalid(option, text, source: source, expected: "the socket path must be shorter than 108 bytes")
        }
        return String(rest)
    }
}
