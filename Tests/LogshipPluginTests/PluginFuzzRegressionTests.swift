import LogshipTestFrames
import LogshipTestSupport
import LogshipHTTP
import Glibc
import LogshipJSON
import LogshipSystem
import Testing
@testable import LogshipPlugin

/// StartLogging bodies on which the fuzz-start-logging target (Fuzz/, scripts/fuzz.sh)
/// found a broken property.
@Suite(.serialized) struct PluginFuzzRegressionTests {
    /// The tag template parser recursed once per `(` with no limit, so a tag of `{{`
    /// and ten thousand `(` (a 10 KB --log-opt; bodies may be 8 MiB) overflowed the
    /// stack and killed the plugin, and with it the logging of every container. Go's
    /// text/template refuses nesting past a fixed depth; the request must get an
    /// error answer. Runs in a child process, so that failing is not a crash of the
    /// whole test run.
    /// Reproducer: {"File":"f","Info":{"Config":{"syslog-address":"udp://h","tag":"{{((((…"}}} with 10,000 `(`.
    @Test func deeplyNestedTagTemplateIsRefusedNotACrash() async {
        await #expect(processExitsWith: .success) {
            // No teardown: the child process ends with the request.
            let api = PluginAPI(streams: try TestStreams().streams, log: testLog)
            let tag = "{{" + String(repeating: "(", count: 1_000_000) + "}}"
            let body: JSONValue = ["File": "/run/docker/logging/deep", "Info": ["Config": ["syslog-address": "udp://127.0.0.1:514", "tag": .string(tag)]]]
            let response = api.handle(HTTPRequest(method: "POST", path: "/LogDriver.StartLogging", body: body.serialized()))
            exit(response.status == 500 ? EXIT_SUCCESS : EXIT_FAILURE)
        }
    }

    /// Label and env values went into RFC 5424 STRUCTURED-DATA with their LFs. On a
    /// TCP syslog stream with the default non-transparent framing every LF ends a
    /// message, so a multi-line value (a PEM certificate in an env var, say) cut the
    /// message in two and made the rest of it, attacker-chosen, a message of its own.
    /// Reproducer: {"File":"f","Info":{"Config":{"syslog-address":"tcp://h","labels":"a"},"ContainerLabels":{"a":"\n"}}}
    @Test func lineFeedInALabelValueCannotSplitASyslogMessage() throws {
        let receiver = try StreamReceiver()
        defer { receiver.close() }
        try withStreamRegistry { streams in
            let api = PluginAPI(streams: streams, log: testLog)
            let fifo = try DaemonFIFO(name: "sd-newline")
            defer { fifo.close() }
            let info: JSONValue = [
                "Config": ["syslog-address": .string("tcp://127.0.0.1:\(receiver.port)"), "labels": "cert"],
                "ContainerID": .string(String(repeating: "ab", count: 32)),
                "ContainerLabels": ["cert": "-----BEGIN-----\nMIIB\n-----END-----"],
            ]
            let start: JSONValue = ["File": .string(fifo.path), "Info": info]
            let response = api.handle(HTTPRequest(method: "POST", path: "/LogDriver.StartLogging", body: start.serialized()))
            #expect(response.status == 200)
            try fifo.write(dockerFrame("stdout", Array("hello".utf8)))
            #expect(waitUntil { receiver.text.hasSuffix("hello\n") })
            #expect(receiver.lines.count == 1)
            let stop: JSONValue = ["File": .string(fifo.path)]
            _ = api.handle(HTTPRequest(method: "POST", path: "/LogDriver.StopLogging", body: stop.serialized()))
        }
    }
}
