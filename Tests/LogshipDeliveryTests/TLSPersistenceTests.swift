import LogshipDestinations
import Testing
@testable import LogshipDelivery

/// A TLS destination's addresses and settings are written next to its spool and read
/// back after a restart, so its undelivered messages are found and sent.
@Suite struct TLSPersistenceTests {
    @Test func tlsEndpointsSurviveTheRoundTrip() {
        let awkward = TLSSettings(serverName: "logs.example", caFile: "/certs/my CA=1%.pem", certificateFile: "/certs/client é.pem",
                                  keyFile: "/certs/client.key", skipVerify: true)
        let endpoints: [Endpoint] = [
            .tls(host: "10.0.0.5", port: 6514, settings: awkward),
            .tls(host: "::1", port: 514, settings: TLSSettings(serverName: "::1")),
        ]
        let key = DestinationKey(EndpointList(endpoints), framing: .syslogOctetCounted)
        let written = key.persistentForm
        #expect(written.split(separator: "\n").count == 3)
        #expect(DestinationKey(persistentForm: written) == key)
    }

    /// Spools written before the framing was part of a destination have no framing
    /// line: they are recovered in the directory they are in, and delivered as they are.
    @Test func aSpoolFromBeforeFramingKeepsItsDirectory() throws {
        let key = try #require(DestinationKey(persistentForm: "tcp 514 logs.example\n"))
        #expect(key.framing == .unrecorded)
        #expect(key.persistentForm == "tcp 514 logs.example\n")
        // FNV-1a of "tcp://logs.example:514", the name such a spool was given.
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in "tcp://logs.example:514".utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        #expect(key.spoolDirectoryName == String(hash, radix: 16).leftPadded(to: 16))
        #expect(DestinationKey(key.addresses, framing: .gelf).spoolDirectoryName != key.spoolDirectoryName)
        #expect(DestinationKey(persistentForm: "framing bogus\ntcp 514 logs.example\n") == nil)
    }

    @Test func damagedSettingsAreNotGuessed() {
        #expect(Endpoint(persistentForm: "tls 6514 h server-name=h") == nil)
        #expect(Endpoint(persistentForm: "tls 6514 h server-name=h skip-verify=maybe") == nil)
        #expect(Endpoint(persistentForm: "tls 6514 h server-name=h skip-verify=0 ca=%4") == nil)
        #expect(Endpoint(persistentForm: "tls 6514 h server-name=h skip-verify=0") == .tls(host: "h", port: 6514, settings: TLSSettings(serverName: "h")))
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
