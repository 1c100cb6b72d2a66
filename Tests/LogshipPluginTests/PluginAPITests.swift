import LogshipTestSupport
import LogshipHTTP
import LogshipJSON
import Testing
@testable import LogshipPlugin

/// A class, so that `deinit` can shut down each test's registries.
@Suite final class PluginAPITests {
    private let registries: TestStreams
    private let api: PluginAPI

    init() throws {
        registries = try TestStreams()
        api = PluginAPI(streams: registries.streams, log: testLog)
    }

    deinit { registries.shutDown() }

    private func call(_ path: String, _ body: String = "", method: String = "POST") -> (Int, JSONValue?) {
        let response = api.handle(HTTPRequest(method: method, path: path, body: Array(body.utf8)))
        return (response.status, try? JSONParser.parse(response.body))
    }

    @Test func activateAndCapabilities() {
        #expect(call("/Plugin.Activate") == (200, ["Implements": ["LogDriver"]]))
        #expect(call("/LogDriver.Capabilities") == (200, ["Cap": ["ReadLogs": false]]))
    }

    @Test func unknownPathsAndMethodsGetJSONErrors() {
        let (status, body) = call("/LogDriver.ReadLogs", "{}")
        #expect(status == 404)
        #expect(body?["Err"]?.string?.contains("unknown endpoint") == true)
        #expect(call("/Plugin.Activate", method: "GET").0 == 405)
    }

    @Test func malformedBodiesAre400() {
        #expect(call("/LogDriver.StartLogging", "{not json").0 == 400)
        #expect(call("/LogDriver.StartLogging", "").0 == 400)  // the daemon's retry after a timeout can be empty
        #expect(call("/LogDriver.StartLogging", "{\"File\":\"/x\"}").0 == 400)
        #expect(call("/LogDriver.StopLogging", "[]").0 == 400)
    }

    @Test func refusedStartIsAnErrorWithTheMessage() {
        let body = #"{"File":"/tmp/x","Info":{"Config":{"bogus":"1"},"ContainerID":"abc","ContainerArgs":null,"ContainerLabels":null,"ContainerEnv":null}}"# + "\n"
        let (status, json) = call("/LogDriver.StartLogging", body)
        #expect(status == 500)
        #expect(json?["Err"]?.string?.hasPrefix("logship: unknown log-opt \"bogus\"") == true)
    }

    @Test func stopForAnUnknownStreamStillSucceeds() {
        #expect(call("/LogDriver.StopLogging", "{\"File\":\"/run/docker/logging/unknown\"}\n") == (200, [:]))
    }
}
