/// Endpoints written next to a spool, so that messages left on disk by an earlier
/// run can be delivered even when no stream names their destination any more.
extension Endpoint {
    /// One line of text that `init(persistentForm:)` reads back.
    public var persistentForm: String {
        switch self {
        case let .udp(host, port): return "udp \(port) \(host)"
        case let .tcp(host, port): return "tcp \(port) \(host)"
        case let .unixStream(path): return "unix 0 \(path)"
        case let .unixDatagram(path): return "unixgram 0 \(path)"
        case let .tls(host, port, settings): return "tls \(port) \(host) \(settings.persistentForm)"
        case let .relp(host, port, settings):
            // The window first; the TLS fields follow it for relp+tls.
            let tls = settings.tls.map { " " + $0.persistentForm } ?? ""
            return "\(tls.isEmpty ? "relp" : "relp+tls") \(port) \(host) window=\(settings.window)\(tls)"
        }
    }

    public init?(persistentForm text: Substring) {
        let fields = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, let port = UInt16(fields[1]) else { return nil }
        let rest = String(fields[2])
        switch fields[0] {
        case "udp": self = .udp(host: rest, port: port)
        case "tcp": self = .tcp(host: rest, port: port)
        case "unix": self = .unixStream(path: rest)
        case "unixgram": self = .unixDatagram(path: rest)
        case "tls":
            let parts = rest.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, let settings = TLSSettings(persistentForm: parts[1]) else { return nil }
            self = .tls(host: String(parts[0]), port: port, settings: settings)
        case "relp", "relp+tls":
            let parts = rest.split(separator: " ", maxSplits: 2)
            guard parts.count >= 2, parts[1].hasPrefix("window="), let window = Int(parts[1].dropFirst("window=".count)),
                  (1...RELPSettings.maximumWindow).contains(window) else { return nil }
            var settings = RELPSettings(window: window)
            if fields[0] == "relp+tls" {
                guard parts.count == 3, let tls = TLSSettings(persistentForm: parts[2]) else { return nil }
                settings.tls = tls
            } else {
                guard parts.count == 2 else { return nil }
            }
            self = .relp(host: String(parts[0]), port: port, settings: settings)
        default: return nil
        }
    }
}

extension DestinationKey {
    /// `framing NAME`, then the endpoints, one per line.
    public var persistentForm: String {
        let lines = endpoints.map(\.persistentForm)
        let header = framing == .unrecorded ? [] : ["framing \(framing.rawValue)"]
        return (header + lines).joined(separator: "\n") + "\n"
    }

    /// Reads `persistentForm` back; a file without a framing line (written before the
    /// framing was part of a destination) gives `.unrecorded`.
    public init?(persistentForm text: String) {
        var endpoints: [Endpoint] = []
        var framing = WireFraming.unrecorded
        for (index, line) in text.split(separator: "\n").enumerated() {
            if index == 0, line.hasPrefix("framing ") {
                guard let recorded = WireFraming(rawValue: String(line.dropFirst("framing ".count))) else { return nil }
                framing = recorded
                continue
            }
            guard let endpoint = Endpoint(persistentForm: line) else { return nil }
            endpoints.append(endpoint)
        }
        guard !endpoints.isEmpty else { return nil }
        self.init(EndpointList(endpoints), framing: framing)
    }
}
