/// The addresses of one `syslog-address` or `tcp-address`: the first is the primary,
/// the others its fail-overs, in order.
public struct EndpointList: Hashable, Sendable, CustomStringConvertible {
    public var endpoints: [Endpoint]

    public init(_ endpoints: [Endpoint]) {
        precondition(!endpoints.isEmpty)
        self.endpoints = endpoints
    }

    public init(_ endpoint: Endpoint) { self.init([endpoint]) }

    public var primary: Endpoint { endpoints[0] }

    /// All datagram or all stream (the address parser refuses a mix).
    public var isDatagram: Bool { primary.isDatagram }

    public var description: String { endpoints.map(\.description).joined(separator: ",") }
}
