/// What makes two streams' destinations the same one: the same addresses, in the
/// same order (the first is the primary, the others its fail-overs).
public struct DestinationKey: Hashable, Sendable, CustomStringConvertible {
    public var endpoints: [Endpoint]

    public init(_ endpoints: [Endpoint]) {
        precondition(!endpoints.isEmpty)
        self.endpoints = endpoints
    }

    public init(_ endpoint: Endpoint) { self.init([endpoint]) }

    public var primary: Endpoint { endpoints[0] }

    /// All datagram or all stream: one framing for every address.
    public var isDatagram: Bool { primary.isDatagram }

    public var description: String { endpoints.map(\.description).joined(separator: ",") }

    /// A stable directory name for this destination's spool (FNV-1a of the description:
    /// the same addresses find their spool again after a restart).
    public var spoolDirectoryName: String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in description.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
