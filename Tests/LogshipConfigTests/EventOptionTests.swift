import LogshipDestinations
import LogshipEvents
import LogshipFormat
import Testing
@testable import LogshipConfig

private let tcpSyslog = ["syslog-address": "tcp://logs.example:514"]
private let tcpJSON = ["tcp-address": "tcp://logs.example:5000"]

private func resolve(_ options: [String: String], environment: [String: String] = [:]) throws -> StreamSettings {
    try resolveOptions(options, environment: environment)
}

private func failure(_ options: [String: String], environment: [String: String] = [:]) -> String {
    optionFailure(options, environment: environment)
}

@Suite struct EventOptionTests {
    @Test func byDefaultLinesGoOutAsTheyAre() throws {
        let settings = try resolve(tcpSyslog)
        #expect(settings.events == EventSettings())
        #expect(settings.events.isPlain)
        #expect(settings.syslog?.framing == .nonTransparent)
    }

    @Test func eachRuleAndItsLimits() throws {
        #expect(try resolve(tcpJSON.merging(["multiline-pattern": #"^\d{4}-"#]) { $1 }).events.multiline
            == MultilineSettings(rule: .pattern(#"^\d{4}-"#)))
        #expect(try resolve(tcpJSON.merging(["multiline-datetime-format": "%Y-%m-%d", "multiline-timeout": "250ms",
                                             "multiline-max-lines": "50"]) { $1 }).events.multiline
            == MultilineSettings(rule: .datetimeFormat("%Y-%m-%d"), timeoutNanoseconds: 250_000_000, maxLines: 50))
        #expect(try resolve(tcpJSON.merging(["multiline-preset": "java, python,java"]) { $1 }).events.multiline?.rule
            == .presets([.java, .python]))
        #expect(try resolve(tcpJSON.merging(["level-from": "auto", "parse-json": "true"]) { $1 }).events
            == EventSettings(levelFrom: .auto, parseJSON: true))
    }

    @Test func hostWideSettingsApplyToo() throws {
        let settings = try resolve(tcpJSON, environment: ["MULTILINE_PRESET": "go", "LEVEL_FROM": "prefix", "PARSE_JSON": "1"])
        #expect(settings.events == EventSettings(multiline: MultilineSettings(rule: .presets([.go])), levelFrom: .prefix, parseJSON: true))
    }

    @Test func multiLineSyslogIsOctetCountedOnStreamsAndOneDatagramOtherwise() throws {
        #expect(try resolve(tcpSyslog.merging(["multiline-preset": "java"]) { $1 }).syslog?.framing == .octetCounted)
        #expect(try resolve(tcpSyslog.merging(["multiline-preset": "java", "syslog-format": "rfc3164"]) { $1 }).syslog?.framing == .octetCounted)
        #expect(try resolve(["syslog-address": "udp://logs.example", "multiline-preset": "java"]).syslog?.framing == nil)
        #expect(try resolve(["syslog-address": "udp://logs.example", "multiline-preset": "java",
                             "syslog-framing": "non-transparent"]).syslog?.framing == nil)
        #expect(try resolve(tcpSyslog.merging(["multiline-preset": "java", "syslog-framing": "octet-counted"]) { $1 }).syslog?.framing == .octetCounted)
    }

    @Test func lfFramingWithAMultiLineOptionFailsNamingBoth() {
        let message = failure(tcpSyslog.merging(["multiline-pattern": "^x", "syslog-framing": "non-transparent"]) { $1 })
        #expect(message.contains("log-opt syslog-framing") && message.contains("log-opt multiline-pattern") && message.contains("octet-counted"), "\(message)")
        let hostWide = failure(tcpSyslog.merging(["multiline-preset": "go"]) { $1 }, environment: ["SYSLOG_FRAMING": "non-transparent"])
        #expect(hostWide.contains("plugin setting SYSLOG_FRAMING") && hostWide.contains("log-opt multiline-preset"), "\(hostWide)")
    }

    @Test func rawWithAMultiLineOptionFailsNamingBoth() {
        let message = failure(tcpJSON.merging(["tcp-format": "raw", "multiline-datetime-format": "%Y"]) { $1 })
        #expect(message.contains("log-opt tcp-format") && message.contains("log-opt multiline-datetime-format") && message.contains("json or gelf"), "\(message)")
        // Without a TCP destination the format is not used.
        #expect(failure(tcpSyslog.merging(["tcp-format": "raw", "multiline-preset": "java"]) { $1 }) == "no error")
    }

    @Test(arguments: [
        (["multiline-pattern": "^(?=x)"], ["multiline-pattern", "lookahead", "RE2 (Go) syntax"]),
        (["multiline-pattern": "a("], ["multiline-pattern", "missing ')'"]),
        (["multiline-datetime-format": "%Y-%Q"], ["multiline-datetime-format", "unknown conversion %Q"]),
        (["multiline-preset": "java,ruby"], ["multiline-preset", "unknown preset \"ruby\"", "java, python, go"]),
        (["multiline-timeout": "soon"], ["multiline-timeout", "a duration from 10ms to 1h"]),
        (["multiline-timeout": "2h"], ["multiline-timeout"]),
        (["multiline-max-lines": "1"], ["multiline-max-lines", "from 2 to 100000"]),
        (["level-from": "message"], ["level-from", "stream, prefix, json, auto"]),
        (["parse-json": "yes"], ["parse-json", "true or false"]),
        (["multiline-pattern": "^x", "multiline-preset": "java"], ["multiline-pattern", "multiline-preset", "keep one"]),
    ])
    func badValuesFailNamingTheOption(options: [String: String], words: [String]) {
        let message = failure(tcpJSON.merging(options) { $1 })
        for word in words { #expect(message.contains(word), "\(message) lacks \(word)") }
    }
}
