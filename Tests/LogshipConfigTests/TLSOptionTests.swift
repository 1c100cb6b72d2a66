import LogshipDestinations
import Glibc
import LogshipFormat
import Testing
@testable import LogshipConfig
import LogshipTestSupport

/// A configuration directory for one test, standing in for the plugin's `config` mount
/// (CONFIG_DIR points the resolver at it). Option resolution reads no file;
/// which files are usable is checked where a stream starts (LogshipPluginTests).
private final class CertificateFixtures {
    let files = CertificateFiles()
    var directory: String { files.directory }

    var environment: [String: String] { [PluginSettings.configDirectory.name: directory] }

    func resolve(_ options: [String: String], environment extra: [String: String] = [:]) throws -> StreamSettings {
        var info = sampleInfo
        info.config = options
        return try OptionResolver(environment: environment.merging(extra) { $1 }, hostname: "vm").resolve(info)
    }

    func failure(_ options: [String: String], environment extra: [String: String] = [:]) -> String {
        do {
            _ = try resolve(options, environment: extra)
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    func tlsSettings(_ options: [String: String], environment extra: [String: String] = [:]) throws -> TLSSettings? {
        let s = try resolve(options, environment: extra)
        guard case let .tls(_, _, settings)? = (s.syslog?.destination ?? s.tcp?.destination)?.primary else { return nil }
        return settings
    }
}

@Suite struct TLSOptionTests {
    @Test func tlsAddressesKeepDockersDefaultPortForSyslogOnly() throws {
        let certs = CertificateFixtures()
        #expect(try certs.resolve(["syslog-address": "tcp+tls://logs.example"]).syslog?.destination
            == EndpointList(.tls(host: "logs.example", port: 514, settings: TLSSettings(serverName: "logs.example"))))
        #expect(try certs.resolve(["tcp-address": "tcp+tls://[::1]:6514"]).tcp?.destination
            == EndpointList(.tls(host: "::1", port: 6514, settings: TLSSettings(serverName: "::1"))))
        #expect(certs.failure(["tcp-address": "tcp+tls://collector"]).contains("the port is missing (tcp+tls://host:port)"))
    }

    @Test func everyOptionReachesTheSettingsWithRelativePathsInTheConfigDirectory() throws {
        let certs = CertificateFixtures()
        let settings = try certs.tlsSettings([
            "syslog-address": "tcp+tls://10.0.0.5:6514", "syslog-tls-ca-cert": "cert.pem", "syslog-tls-cert": "cert.pem",
            "syslog-tls-key": "key.pem", "syslog-tls-server-name": "logs.example", "syslog-tls-skip-verify": "false",
        ])
        #expect(settings == TLSSettings(serverName: "logs.example", caFile: "\(certs.directory)/cert.pem",
                                        certificateFile: "\(certs.directory)/cert.pem", keyFile: "\(certs.directory)/key.pem",
                                        skipVerify: false))
        let tcp = try certs.tlsSettings(["tcp-address": "tcp+tls://c:1", "tcp-tls-ca-cert": "\(certs.directory)/cert.pem",
                                         "tcp-tls-skip-verify": "1"])
        #expect(tcp == TLSSettings(serverName: "c", caFile: "\(certs.directory)/cert.pem", skipVerify: true))
    }

    @Test func withoutConfigDirRelativePathsAreInLogshipsDirectoryOfTheMount() {
        let resolver = OptionResolver(environment: [:], hostname: "vm")
        #expect(resolver.configDirectory == "/config/logship")
        #expect(ConfigDirectory.resolve("ca.pem", in: resolver.configDirectory) == "/config/logship/ca.pem")
        #expect(ConfigDirectory.resolve("/etc/ssl/certs/ca-certificates.crt", in: "/config") == "/etc/ssl/certs/ca-certificates.crt")
    }

    /// Docker's driver turns verification off whenever the option is present, even
    /// with `false`; here it is a boolean, parsed like Go's strconv.ParseBool.
    @Test func skipVerifyIsARealBoolean() throws {
        let certs = CertificateFixtures()
        for (text, expected) in [("true", true), ("1", true), ("t", true), ("TRUE", true), ("True", true),
                                 ("false", false), ("0", false), ("f", false), ("FALSE", false), ("False", false)] {
            let settings = try certs.tlsSettings(["syslog-address": "tcp+tls://h", "syslog-tls-skip-verify": text])
            #expect(settings?.skipVerify == expected, "\(text)")
        }
        #expect(certs.failure(["syslog-address": "tcp+tls://h", "syslog-tls-skip-verify": "yes"])
            == "logship: invalid value \"yes\" for log-opt syslog-tls-skip-verify: expected true or false (or 1 or 0)")
    }

    @Test func tlsOptionsWithoutATLSAddressAreRefused() {
        let certs = CertificateFixtures()
        #expect(certs.failure(["syslog-address": "tcp://h", "syslog-tls-ca-cert": "cert.pem"])
            == "logship: log-opt syslog-tls-ca-cert applies only to a tcp+tls:// or relp+tls:// syslog-address, and log-opt syslog-address is tcp://h:514, not TLS")
        #expect(certs.failure(["tcp-address": "tcp://c:1", "syslog-tls-skip-verify": "true"])
            == "logship: log-opt syslog-tls-skip-verify applies only to a tcp+tls:// or relp+tls:// syslog-address, and syslog-address is not set")
        #expect(certs.failure(["syslog-address": "tcp+tls://h", "tcp-address": "tcp://c:1", "tcp-tls-server-name": "c"])
            .contains("log-opt tcp-tls-server-name applies only to a tcp+tls:// tcp-address"))
    }

    /// A host-wide CA is for the containers that choose a TLS address; next to a
    /// host-wide address that is not TLS it is a mistake in the host's settings.
    @Test func hostWideTLSOptionsWaitForATLSAddress() throws {
        let certs = CertificateFixtures()
        let host = ["SYSLOG_TLS_CA_CERT": "cert.pem"]
        #expect(try certs.resolve(["syslog-address": "udp://h"], environment: host).syslog?.destination.primary == .udp(host: "h", port: 514))
        #expect(try certs.tlsSettings(["syslog-address": "tcp+tls://h"], environment: host)?.caFile == "\(certs.directory)/cert.pem")
        #expect(certs.failure([:], environment: host.merging(["SYSLOG_ADDRESS": "tcp://central"]) { $1 }).contains(
            "syslog-tls-ca-cert (from the plugin setting SYSLOG_TLS_CA_CERT; change it with `docker plugin set`) applies only to a tcp+tls:// or relp+tls:// syslog-address, and syslog-address (from the plugin setting SYSLOG_ADDRESS"))
    }

    @Test func aClientCertificateAndItsKeyComeTogether() {
        let certs = CertificateFixtures()
        let tls = ["syslog-address": "tcp+tls://h"]
        #expect(certs.failure(tls.merging(["syslog-tls-cert": "cert.pem"]) { $1 })
            == "logship: log-opt syslog-tls-cert is set without syslog-tls-key: a client certificate needs its key")
        #expect(certs.failure(tls.merging(["syslog-tls-key": "key.pem"]) { $1 })
            == "logship: log-opt syslog-tls-key is set without syslog-tls-cert: a client key needs its certificate")
        // Resolution reads no file: a missing one is found where the stream starts.
        #expect(certs.failure(tls.merging(["syslog-tls-ca-cert": "missing.pem"]) { $1 }) == "no error")
    }

    @Test func octetCountingIsTheDefaultForRFC5424OverTLS() throws {
        let certs = CertificateFixtures()
        func framing(_ options: [String: String]) throws -> SyslogFraming? { try certs.resolve(options).syslog?.framing }
        #expect(try framing(["syslog-address": "tcp+tls://h"]) == .octetCounted)
        #expect(try framing(["syslog-address": "tcp+tls://h", "syslog-format": "rfc5424"]) == .octetCounted)
        #expect(try framing(["syslog-address": "tcp+tls://h", "syslog-format": "rfc3164"]) == .nonTransparent)
        #expect(try framing(["syslog-address": "tcp+tls://h", "syslog-format": "unix"]) == .nonTransparent)
        #expect(try framing(["syslog-address": "tcp+tls://h", "syslog-framing": "non-transparent"]) == .nonTransparent)
        #expect(try framing(["syslog-address": "tcp://h"]) == .nonTransparent)
    }

    /// Destinations are shared by endpoint: two containers that trust different CAs
    /// must not end up on one connection (or one spool).
    @Test func tlsSettingsArePartOfTheDestinationsIdentity() throws {
        let certs = CertificateFixtures()
        let plain = try certs.resolve(["syslog-address": "tcp+tls://h:6514"]).syslog!.destination
        let withCA = try certs.resolve(["syslog-address": "tcp+tls://h:6514", "syslog-tls-ca-cert": "cert.pem"]).syslog!.destination
        #expect(plain != withCA)
        #expect(plain.description == "tcp+tls://h:6514")
        #expect(withCA.description == "tcp+tls://h:6514?ca=\(certs.directory)/cert.pem")
        #expect(DestinationKey(plain, framing: .syslogOctetCounted).spoolDirectoryName != DestinationKey(withCA, framing: .syslogOctetCounted).spoolDirectoryName)
        #expect(try certs.resolve(["syslog-address": "tcp+tls://h:6514", "syslog-tls-ca-cert": "cert.pem"]).syslog!.destination == withCA)
    }

    @Test func aTLSListFailsOverOnlyToTLSAddresses() throws {
        let certs = CertificateFixtures()
        #expect(certs.failure(["syslog-address": "tcp+tls://a,tcp://b"]).contains("cannot share a list with unencrypted ones"))
        let list = try certs.resolve(["syslog-address": "tcp+tls://a:6514,tcp+tls://b:6514", "syslog-tls-ca-cert": "cert.pem"]).syslog!.destination
        #expect(list.endpoints.map(\.description) == ["tcp+tls://a:6514?ca=\(certs.directory)/cert.pem", "tcp+tls://b:6514?ca=\(certs.directory)/cert.pem"])
    }
}

// Fixtures made once with openssl (P-256; the certificate is valid until 2126): the
// option layer checks that files parse and belong together, not their dates.
