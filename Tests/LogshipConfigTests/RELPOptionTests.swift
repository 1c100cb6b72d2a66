import LogshipDestinations
import LogshipFormat
import Testing
@testable import LogshipConfig

private func resolve(_ options: [String: String], environment: [String: String] = [:]) throws -> StreamSettings {
    var info = sampleInfo
    info.config = options
    return try OptionResolver(environment: environment, hostname: "vm").resolve(info)
}

private func failure(_ options: [String: String], environment: [String: String] = [:]) -> String {
    do {
        _ = try resolve(options, environment: environment)
        return "no error"
    } catch {
        return "\(error)"
    }
}

/// `relp://` and `relp+tls://` syslog addresses, and `syslog-relp-window`.
@Suite struct RELPOptionTests {
    @Test func relpAddressesAndTheirDefaults() throws {
        let syslog = try #require(try resolve(["syslog-address": "relp://logs.example:2514"]).syslog)
        #expect(syslog.destination == EndpointList(.relp(host: "logs.example", port: 2514, settings: RELPSettings())))
        #expect(syslog.destination.primary.description == "relp://logs.example:2514")
        #expect(RELPSettings().window == 128 && RELPSettings().tls == nil)
        // RELP commands carry the message's length: no LF, no octet count, whatever syslog-framing says.
        #expect(syslog.framing == nil && syslog.delimiting == .none)
        let framed = try resolve(["syslog-address": "relp://h:1", "syslog-framing": "octet-counted"]).syslog
        #expect(framed?.framing == nil && framed?.delimiting == SyslogDelimiting.none)
        // The other options work as for tcp://.
        let s = try resolve(["syslog-address": "relp://[::1]:20514", "syslog-format": "rfc3164", "syslog-facility": "local0", "tag": "{{.Name}}"])
        #expect(s.syslog?.format == .rfc3164 && s.syslog?.facility.code == 16 && s.context.tag == "testlog")
    }

    /// RELP has no well-known port: guessing one would only hide a mistake until the
    /// first message went nowhere.
    @Test func aMissingPortFailsWithAClearMessage() {
        #expect(failure(["syslog-address": "relp://logs.example"])
            == "logship: invalid value \"relp://logs.example\" for log-opt syslog-address: the port is missing (relp://host:port): RELP has no default port (rsyslog's imrelp examples use 2514 or 20514)")
        #expect(failure(["syslog-address": "relp+tls://logs.example"]).contains("the port is missing (relp+tls://host:port): RELP has no default port"))
        #expect(failure(["syslog-address": "relp://:2514"]).contains("the host is missing"))
        #expect(failure(["syslog-address": "relp://h:0"]).contains("the port must be a number from 1 to 65535"))
        // RELP is for syslog messages: tcp-address has no relp scheme.
        #expect(failure(["tcp-address": "relp://c:2514"]).contains("unsupported scheme \"relp\""))
    }

    @Test func failOverListsStayRELPAndStayEncrypted() throws {
        let list = try #require(try resolve(["syslog-address": "relp://a:2514,relp://b:2514"]).syslog?.destination)
        #expect(list.endpoints.map(\.description) == ["relp://a:2514", "relp://b:2514"])
        #expect(failure(["syslog-address": "relp://a:2514,tcp://b:514"]).contains("relp addresses cannot share a list with other transports"))
        #expect(failure(["syslog-address": "tcp://b:514,relp://a:2514"]).contains("relp addresses cannot share a list with other transports"))
        #expect(failure(["syslog-address": "relp+tls://a:2514,relp://b:2514"]).contains("cannot share a list with unencrypted ones"))
    }

    /// The `syslog-tls-*` options apply to relp+tls:// exactly as to tcp+tls://:
    /// verification on unless skipped, the server name defaulting to the host.
    @Test func tlsOptionsApplyToRELPOverTLS() throws {
        let directory = "/nonexistent-certs"
        let environment = [PluginSettings.configDirectory.name: directory]
        let plain = try resolve(["syslog-address": "relp+tls://logs.example:6514"], environment: environment).syslog?.destination.primary
        #expect(plain == .relp(host: "logs.example", port: 6514, settings: RELPSettings(tls: TLSSettings(serverName: "logs.example"))))
        #expect(plain?.description == "relp+tls://logs.example:6514")
        let options = ["syslog-address": "relp+tls://10.0.0.5:6514,relp+tls://10.0.0.6:6514", "syslog-tls-ca-cert": "ca.pem",
                       "syslog-tls-cert": "client.pem", "syslog-tls-key": "client.key", "syslog-tls-server-name": "logs.example",
                       "syslog-relp-window": "256"]
        let destination = try #require(try resolve(options, environment: environment).syslog?.destination)
        let tls = TLSSettings(serverName: "logs.example", caFile: "\(directory)/ca.pem", certificateFile: "\(directory)/client.pem",
                              keyFile: "\(directory)/client.key")
        #expect(destination.endpoints == [.relp(host: "10.0.0.5", port: 6514, settings: RELPSettings(window: 256, tls: tls)),
                                          .relp(host: "10.0.0.6", port: 6514, settings: RELPSettings(window: 256, tls: tls))])
        #expect(destination.primary.description
            == "relp+tls://10.0.0.5:6514?ca=\(directory)/ca.pem&cert=\(directory)/client.pem&key=\(directory)/client.key&server-name=logs.example&window=256")
        #expect(failure(["syslog-address": "relp://h:2514", "syslog-tls-ca-cert": "ca.pem"], environment: environment)
            .contains("applies only to a tcp+tls:// or relp+tls:// syslog-address, and log-opt syslog-address is relp://h:2514, not TLS"))
    }

    @Test func theWindowOption() throws {
        func window(_ text: String) throws -> Int? {
            guard case let .relp(_, _, settings)? = try resolve(["syslog-address": "relp://h:2514", "syslog-relp-window": text]).syslog?.destination.primary
            else { return nil }
            return settings.window
        }
        #expect(try window("1") == 1)
        #expect(try window("65536") == 65536)
        for bad in ["0", "65537", "-3", "many", "12k"] {
            #expect(failure(["syslog-address": "relp://h:2514", "syslog-relp-window": bad])
                == "logship: invalid value \"\(bad)\" for log-opt syslog-relp-window: a number of messages from 1 to 65536, such as 128")
        }
        // Part of the destination's identity: another window is another session.
        let a = try resolve(["syslog-address": "relp://h:2514"]).syslog!.destination
        let b = try resolve(["syslog-address": "relp://h:2514", "syslog-relp-window": "64"]).syslog!.destination
        #expect(a != b && b.description == "relp://h:2514?window=64")
    }

    /// Like the TLS options: an error where it cannot apply, unless it is a host-wide
    /// default waiting for the containers that choose a RELP address.
    @Test func theWindowWithoutARELPAddress() throws {
        #expect(failure(["syslog-address": "tcp://h:514", "syslog-relp-window": "64"])
            == "logship: log-opt syslog-relp-window applies only to a relp:// or relp+tls:// syslog-address, and log-opt syslog-address is tcp://h:514")
        #expect(failure(["tcp-address": "tcp://c:1", "syslog-relp-window": "64"])
            == "logship: log-opt syslog-relp-window applies only to a relp:// or relp+tls:// syslog-address, and syslog-address is not set")
        let host = ["SYSLOG_RELP_WINDOW": "64"]
        #expect(try resolve(["syslog-address": "udp://h"], environment: host).syslog?.destination.primary == .udp(host: "h", port: 514))
        #expect(try resolve(["tcp-address": "tcp://c:1"], environment: host).tcp != nil)
        #expect(try resolve(["syslog-address": "relp://h:2514"], environment: host).syslog?.destination.primary
            == .relp(host: "h", port: 2514, settings: RELPSettings(window: 64)))
        #expect(failure([:], environment: host.merging(["SYSLOG_ADDRESS": "tcp://central"]) { $1 }).contains(
            "syslog-relp-window (from the plugin setting SYSLOG_RELP_WINDOW; change it with `docker plugin set`) applies only to a relp:// or relp+tls:// syslog-address"))
    }
}
