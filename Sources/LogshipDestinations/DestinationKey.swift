// The LogshipDestinations module: what a destination is, as values with no I/O: its
// addresses, TLS settings, how messages are framed on its connection, and the plugin-wide
// queue and spool settings. Shared by option resolution (Config) and delivery.

/// What makes two streams' destinations the same one, sharing a queue, a spool and a
/// connection: the same addresses in the same order, delimited the same way on the wire.
public struct DestinationKey: Hashable, Sendable, CustomStringConvertible {
    public var addresses: EndpointList
    public var framing: WireFraming

    public init(_ addresses: EndpointList, framing: WireFraming) {
        self.addresses = addresses
        self.framing = framing
    }

    public var endpoints: [Endpoint] { addresses.endpoints }
    public var primary: Endpoint { addresses.primary }
    public var isDatagram: Bool { addresses.isDatagram }

    /// The addresses and the framing, e.g. `tcp://logs:514 (syslog-octet-counted)`: how
    /// logs and metrics name the destination, so that two of one address can be told apart.
    public var description: String { "\(addresses) (\(framing.rawValue))" }

    /// A stable directory name for this destination's spool (FNV-1a of the description:
    /// the same destination finds its spool again after a restart). A spool from before
    /// the framing was recorded keeps the name it had: the hash of the addresses alone.
    public var spoolDirectoryName: String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        let named = framing == .unrecorded ? addresses.description : description
        for byte in named.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
