import LogshipDestinations
import LogshipEvents
import LogshipFormat

/// The body format of the plain TCP destination (`tcp-format`).
public enum TCPFormat: String, Sendable, CaseIterable {
    case json, raw, gelf
}

/// Everything one container's stream needs, resolved and validated from its
/// log-opts and the host-wide defaults.
public struct StreamSettings: Sendable, Equatable {
    public struct Syslog: Sendable, Equatable {
        /// The address, or several: the first is the primary, the others fail-overs.
        public var destination: EndpointList
        public var format: SyslogFormat
        public var facility: SyslogFacility
        /// nil on datagram and RELP transports, where it does not apply.
        public var framing: SyslogFraming?
        public var structuredDataID: String
        /// For a TLS destination: which options named its files.
        public var tlsFiles: TLSFileOrigins?

        /// What the formatter puts around each message for this destination's transport.
        public var delimiting: SyslogDelimiting {
            if destination.primary.isRELP { return .none }
            return framing == .octetCounted ? .octetCounted : .lineFeed
        }
    }

    public struct TCP: Sendable, Equatable {
        public var destination: EndpointList
        public var format: TCPFormat
        public var tlsFiles: TLSFileOrigins?
    }

    public var syslog: Syslog?
    public var tcp: TCP?
    /// `max-line-size`.
    public var maxLineBytes: Int
    public static let defaultMaxLineBytes = 1 << 20
    /// Multi-line joining, where severities come from, JSON lines as fields.
    public var events: EventSettings
    public var context: FormatContext
    /// What to record with the stream for re-attaching it (`OptionResolver.resolveAsRecorded`).
    public var resolved: ResolvedOptions
    /// `rate-limit` and `rate-burst`; nil without a limit.
    public var rateLimit: RateLimit? = nil
}

/// What a stream's options resolved to, recorded with the stream so that a re-attached
/// stream keeps its tag and attributes, and can fall back on exactly these settings
/// when today's host-wide settings fail to resolve.
public struct ResolvedOptions: Sendable, Equatable {
    /// The host-wide settings that applied to the stream (by option name).
    public var hostDefaults: [String: String]
    /// The route the stream took, with the values of it that applied.
    public var route: RecordedRoute?
    /// The rendered `tag`.
    public var tag: String
    /// The selected `labels`/`env` attributes.
    public var attributes: [(key: String, value: String)]

    public init(hostDefaults: [String: String], route: RecordedRoute? = nil, tag: String, attributes: [(key: String, value: String)]) {
        self.hostDefaults = hostDefaults
        self.route = route
        self.tag = tag
        self.attributes = attributes
    }

    public static func == (a: ResolvedOptions, b: ResolvedOptions) -> Bool {
        a.hostDefaults == b.hostDefaults && a.route == b.route && a.tag == b.tag
            && a.attributes.map(\.key) == b.attributes.map(\.key) && a.attributes.map(\.value) == b.attributes.map(\.value)
    }
}

/// The route a stream took and the values of it that applied (those its own options did
/// not override), recorded with the stream like the host-wide settings that applied.
public struct RecordedRoute: Sendable, Equatable {
    public var name: String
    public var values: [String: String]

    public init(name: String, values: [String: String]) {
        self.name = name
        self.values = values
    }
}
