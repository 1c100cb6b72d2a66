import LogshipDestinations
import LogshipFormat
import Testing
@testable import LogshipConfig

private func resolve(_ options: [String: String], environment: [String: String] = [:], info: ContainerInfo = sampleInfo) throws -> StreamSettings {
    try resolveOptions(options, environment: environment, info: info)
}

private func errorMessage(_ options: [String: String], environment: [String: String] = [:]) -> String {
    optionFailure(options, environment: environment)
}

@Suite struct OptionResolverTests {
    @Test func defaults() throws {
        let s = try resolve(["syslog-address": "udp://logs.example"])
        #expect(s.syslog == StreamSettings.Syslog(destination: EndpointList(.udp(host: "logs.example", port: 514)), format: .rfc5424micro,
                                                  facility: .daemon, framing: nil, structuredDataID: "logship@32473"))
        #expect(s.tcp == nil)
        #expect(s.maxLineBytes == 1 << 20)
        #expect(s.context.tag == "7d6ac83a89a0")
        #expect(s.context.containerName == "testlog")
        #expect(s.context.attributes.isEmpty)
    }

    @Test func everySyslogOption() throws {
        let s = try resolve(["syslog-address": "tcp://[::1]:6514", "syslog-facility": "local3", "syslog-format": "rfc3164",
                             "syslog-framing": "octet-counted", "syslog-sd-id": "x@1", "tag": "{{.Name}}", "max-line-size": "64k"])
        #expect(s.syslog == StreamSettings.Syslog(destination: EndpointList(.tcp(host: "::1", port: 6514)), format: .rfc3164,
                                                  facility: SyslogFacility(parsing: "local3")!, framing: .octetCounted, structuredDataID: "x@1"))
        #expect(s.context.tag == "testlog")
        #expect(s.maxLineBytes == 65536)
    }

    @Test func streamTransportsDefaultToLFFraming() throws {
        #expect(try resolve(["syslog-address": "tcp://h"]).syslog?.framing == .nonTransparent)
        #expect(try resolve(["syslog-address": "unix:///host/run/s.sock"]).syslog?.destination == EndpointList(.unixStream(path: "/host/run/s.sock")))
        #expect(try resolve(["syslog-address": "unixgram:///host/dev/log"]).syslog?.framing == nil)
    }

    @Test func tcpDestinationAndBoth() throws {
        let s = try resolve(["tcp-address": "tcp://collector:5170", "tcp-format": "gelf", "syslog-address": "udp://h:1"])
        #expect(s.tcp == StreamSettings.TCP(destination: EndpointList(.tcp(host: "collector", port: 5170)), format: .gelf))
        #expect(s.syslog != nil)
        #expect(try resolve(["tcp-address": "tcp://c:1"]).tcp?.format == .json)
    }

    @Test func dockerHandledOptionsPassThrough() throws {
        let options = ["syslog-address": "udp://h", "mode": "non-blocking", "max-buffer-size": "4m", "cache-disabled": "false",
                       "cache-max-size": "20m", "cache-max-file": "5", "cache-compress": "true", "max-size": "10m", "max-file": "3", "compress": "true"]
        #expect(throws: Never.self) { try resolve(options) }
    }

    @Test func unknownOptionIsRefusedWithValidNamesAndASuggestion() {
        let message = errorMessage(["sylog-address": "udp://h"])
        #expect(message.hasPrefix("logship: unknown log-opt \"sylog-address\" (did you mean \"syslog-address\"?)"))
        #expect(message.contains("valid options: route, syslog-address, syslog-facility"))
        #expect(errorMessage(["syslog-address": "udp://h", "gelf-compression-type": "none"]).contains("unknown log-opt \"gelf-compression-type\""))
    }

    @Test func badValuesNameTheOptionTheValueAndWhatIsAccepted() {
        #expect(errorMessage(["syslog-address": "udp://h", "syslog-facility": "nope"])
            == "logship: invalid value \"nope\" for log-opt syslog-facility: expected kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, local0, local1, local2, local3, local4, local5, local6, local7, or a number from 0 to 23")
        #expect(errorMessage(["syslog-address": "udp://h", "syslog-format": "json"]).contains("log-opt syslog-format: expected rfc5424micro, rfc5424, rfc3164, unix"))
        #expect(errorMessage(["syslog-address": "http://h"]).contains("unsupported scheme \"http\""))
        #expect(errorMessage(["syslog-address": "tcp://h:99999"]).contains("the port must be a number from 1 to 65535"))
        #expect(errorMessage(["syslog-address": "tcp://:514"]).contains("the host is missing"))
        #expect(errorMessage(["syslog-address": "unix://relative"]).contains("must be absolute"))
        #expect(errorMessage(["tcp-address": "tcp+tls://h"]).contains("the port is missing (tcp+tls://host:port)"))
        #expect(errorMessage(["tcp-address": "tcp://h"]).contains("the port is missing"))
        #expect(errorMessage(["tcp-address": "tcp://h:1", "tcp-format": "xml"]).contains("log-opt tcp-format: expected json, raw, gelf"))
        #expect(errorMessage(["syslog-address": "udp://h", "max-line-size": "10"]).contains("log-opt max-line-size"))
        #expect(errorMessage(["syslog-address": "udp://h", "tag": "{{.Nope}}"]).contains("log-opt tag"))
        #expect(errorMessage(["syslog-address": "udp://h", "labels-regex": "("]).contains("log-opt labels-regex"))
    }

    @Test func typoInAnUnusedSyslogOptionStillFails() {
        #expect(errorMessage(["tcp-address": "tcp://h:1", "syslog-format": "rfc5242"]).contains("syslog-format"))
    }

    @Test func noDestinationSaysHowToSetOne() {
        let message = errorMessage([:])
        #expect(message.contains("no destination"))
        #expect(message.contains("--log-opt syslog-address="))
        #expect(message.contains("docker plugin set logship SYSLOG_ADDRESS="))
    }

    @Test func hostWideDefaultsApplyAndLogOptsWin() throws {
        let env = ["SYSLOG_ADDRESS": "tcp://central:514", "SYSLOG_FACILITY": "local0", "TAG": "{{.Name}}", "UNRELATED": "x"]
        let fromHost = try resolve([:], environment: env)
        #expect(fromHost.syslog?.destination == EndpointList(.tcp(host: "central", port: 514)))
        #expect(fromHost.syslog?.facility.code == 16)
        #expect(fromHost.context.tag == "testlog")
        let overridden = try resolve(["syslog-address": "udp://other", "tag": "x"], environment: env)
        #expect(overridden.syslog?.destination == EndpointList(.udp(host: "other", port: 514)))
        #expect(overridden.context.tag == "x")
        #expect(overridden.syslog?.facility.code == 16)
        // An empty setting counts as unset.
        #expect(try resolve(["syslog-address": "udp://h"], environment: ["SYSLOG_FACILITY": ""]).syslog?.facility == .daemon)
    }

    @Test func severalAddressesArePrimaryThenFailOvers() throws {
        let s = try resolve(["syslog-address": "tcp://a:514, tcp://b", "tcp-address": "tcp://c:1,tcp://d:2"])
        #expect(s.syslog?.destination == EndpointList([.tcp(host: "a", port: 514), .tcp(host: "b", port: 514)]))
        #expect(s.tcp?.destination == EndpointList([.tcp(host: "c", port: 1), .tcp(host: "d", port: 2)]))
        #expect(errorMessage(["syslog-address": "tcp://a,udp://b"]).contains("all be datagram"))
        #expect(errorMessage(["syslog-address": "tcp://a,,tcp://b"]).contains("empty address"))
        #expect(errorMessage(["syslog-address": "tcp://a,tcp://a:514"]).contains("appears twice"))
        #expect(errorMessage(["syslog-address": "tcp://a,http://b"]).contains("unsupported scheme \"http\""))
    }

    @Test func noneOptsOutOfAHostWideDestination() throws {
        let s = try resolve(["syslog-address": "none", "tcp-address": "tcp://c:1"], environment: ["SYSLOG_ADDRESS": "tcp://central:514"])
        #expect(s.syslog == nil)
        #expect(s.tcp != nil)
    }

    @Test func badHostWideDefaultPointsAtThePluginSetting() {
        let message = errorMessage(["syslog-address": "udp://h"], environment: ["SYSLOG_FORMAT": "bogus"])
        #expect(message.contains("syslog-format (from the plugin setting SYSLOG_FORMAT"))
        #expect(OptionResolver(environment: ["SYSLOG_FORMAT": "bogus"], hostname: "vm").validateHostDefaults() != nil)
        #expect(OptionResolver(environment: ["SYSLOG_ADDRESS": "tcp://ok:1"], hostname: "vm").validateHostDefaults() == nil)
    }
}
