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
        let key = DestinationKey(endpoints)
        let written = key.persistentForm
        #expect(written?.split(separator: "\n").count == 2)
        #expect(written.flatMap { DestinationKey(persistentForm: $0) } == key)
    }

    @Test func damagedSettingsAreNotGuessed() {
        #expect(Endpoint(persistentForm: "tls 6514 h server-name=h") == nil)
        #expect(Endpoint(persistentForm: "tls 6514 h server-name=h skip-verify=maybe") == nil)
        #expect(Endpoint(persistentForm: "tls 6514 h server-name=h skip-verify=0 ca=%4") == nil)
        #expect(Endpoint(persistentForm: "tls 6514 h server-name=h skip-verify=0") == .tls(host: "h", port: 6514, settings: TLSSettings(serverName: "h")))
    }
}
