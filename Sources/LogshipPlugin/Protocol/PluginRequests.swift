import LogshipConfig
import LogshipJSON

/// Why a request body could not be understood; answered with 400.
public struct BadRequest: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// `/LogDriver.StartLogging`: `{"File": "/run/docker/logging/<id>", "Info": {...}}`.
/// Public for the fuzz target that drives option resolution with daemon bodies.
struct StartLoggingRequest {
    public var file: String
    public var info: ContainerInfo

    public init(file: String, info: ContainerInfo) {
        self.file = file
        self.info = info
    }

    public init(json: JSONValue) throws(BadRequest) {
        guard let file = json["File"]?.string, !file.isEmpty else {
            throw BadRequest(message: "StartLogging request without \"File\"")
        }
        guard let info = json["Info"], info.object != nil else {
            throw BadRequest(message: "StartLogging request without \"Info\"")
        }
        self.file = file
        self.info = ContainerInfo(json: info)
    }
}

/// `/LogDriver.StopLogging`: `{"File": "/run/docker/logging/<id>"}`.
struct StopLoggingRequest {
    var file: String

    init(json: JSONValue) throws(BadRequest) {
        guard let file = json["File"]?.string, !file.isEmpty else {
            throw BadRequest(message: "StopLogging request without \"File\"")
        }
        self.file = file
    }
}
