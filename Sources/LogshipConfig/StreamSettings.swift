import LogshipDelivery
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
        /// nil on datagram transports.
        public var framing: SyslogFraming?
        public var structuredDataID: String
    }

    public struct TCP: Sendable, Equatable {
        public var destination: EndpointList
        public var format: TCPFormat
    }

    public var syslog: Syslog?
    public var tcp: TCP?
    public var maxLineBytes: Int
    public var context: FormatContext
}
