import LogshipStreams
import LogshipHTTP
import LogshipConfig
import LogshipJSON
import LogshipSystem

/// The Docker plugin endpoints on top of the HTTP transport: a thin layer that
/// decodes requests, calls the stream registry and encodes answers.
///
/// Every answer is 200 with a JSON body unless something failed: the daemon treats
/// an empty body as an error, and an error as `{"Err": …}` with a non-200 status
/// (the daemon prefixes it with the endpoint name).
public struct PluginAPI: Sendable {
    let streams: StreamRegistry
    let log: LogSink

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        guard request.method == "POST" else {
            return .error(405, "logship: \(request.method) \(request.path): plugin endpoints take POST")
        }
        switch request.path {
        case "/Plugin.Activate":
            return .json(200, ["Implements": ["LogDriver"]])
        case "/LogDriver.Capabilities":
            // No ReadLogs: Docker's local cache then serves `docker logs` (dual logging).
            return .json(200, ["Cap": ["ReadLogs": false]])
        case "/LogDriver.StartLogging":
            return startLogging(request.body)
        case "/LogDriver.StopLogging":
            return stopLogging(request.body)
        default:
            return .error(404, "logship: unknown endpoint \(request.path)")
        }
    }

    private func startLogging(_ body: [UInt8]) -> HTTPResponse {
        decoding(body, as: "StartLogging", StartLoggingRequest.init(json:)) { request in
            do throws(StartError) {
                try streams.start(file: request.file, info: request.info, record: true)
                return .json(200, [:])
            } catch {
                log.warn("StartLogging container=\(request.info.shortID) refused: \(error)")
                return .error(500, error.description)
            }
        }
    }

    private func stopLogging(_ body: [UInt8]) -> HTTPResponse {
        decoding(body, as: "StopLogging", StopLoggingRequest.init(json:)) { request in
            // Answered at once: the daemon closes its end of the FIFO only after this
            // answer, and the reader drains to that EOF on its own.
            streams.stop(file: request.file)
            return .json(200, [:])
        }
    }

    /// A request body decoded as `T`, or 400 with why it could not be.
    private func decoding<T>(_ body: [UInt8], as name: String, _ decode: (JSONValue) throws(BadRequest) -> T,
                             _ handle: (T) -> HTTPResponse) -> HTTPResponse {
        let request: T
        do {
            request = try decode(try JSONParser.parse(body))
        } catch {
            log.warn("\(name): bad request: \(error)")
            return .error(400, "logship: bad \(name) request: \(error)")
        }
        return handle(request)
    }
}
