import LogshipDestinations
import Testing
@testable import LogshipDelivery

/// A RELP destination's addresses, window and TLS settings are written next to its
/// spool and read back after a restart, so its unacknowledged messages are found and
/// sent to the same kind of session.
@Suite struct RELPPersistenceTests {
    @Test func relpEndpointsSurviveTheRoundTrip() {
        let tls = TLSSettings(serverName: "logs.example", caFile: "/certs/my CA=1%.pem", skipVerify: false)
        let endpoints: [Endpoint] = [
            .relp(host: "10.0.0.5", port: 2514, settings: RELPSettings(window: 512, tls: tls)),
            .relp(host: "::1", port: 20514, settings: RELPSettings(tls: TLSSettings(serverName: "::1"))),
        ]
        let key = DestinationKey(EndpointList(endpoints), framing: .syslogRELP)
        #expect(key.persistentForm.hasPrefix("framing syslog-relp\nrelp+tls 2514 10.0.0.5 window=512 server-name=logs.example "))
        #expect(DestinationKey(persistentForm: key.persistentForm) == key)
        let plain = DestinationKey(EndpointList(.relp(host: "h", port: 2514, settings: RELPSettings())), framing: .syslogRELP)
        #expect(plain.persistentForm == "framing syslog-relp\nrelp 2514 h window=128\n")
        #expect(DestinationKey(persistentForm: plain.persistentForm) == plain)
        #expect(plain.spoolDirectoryName != DestinationKey(EndpointList(.tcp(host: "h", port: 2514)), framing: .syslogLineFeed).spoolDirectoryName)
    }

    @Test func damagedRecordsAreNotGuessed() {
        #expect(Endpoint(persistentForm: "relp 2514 h") == nil)
        #expect(Endpoint(persistentForm: "relp 2514 h window=0") == nil)
        #expect(Endpoint(persistentForm: "relp 2514 h window=x") == nil)
        #expect(Endpoint(persistentForm: "relp 2514 h window=8 server-name=h skip-verify=0") == nil)
        #expect(Endpoint(persistentForm: "relp+tls 2514 h window=8") == nil)
        #expect(Endpoint(persistentForm: "relp+tls 2514 h window=8 server-name=h skip-verify=0")
            == .relp(host: "h", port: 2514, settings: RELPSettings(window: 8, tls: TLSSettings(serverName: "h"))))
    }
}
