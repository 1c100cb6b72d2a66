import LogshipConfig
import LogshipJSON

/// Why a request body could not be understood; answered with 400.
public struct BadRequest: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// `/LogDriver.StartLogging`: `{"File": "/run/docker/logging/<id>", "Info": {...}}`.
/// Public for the fuzz target that drives option resolution with daemon bodies.
public struct StartLoggingRequest {
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
        // The daemon's Go encoder writes every key, with null for empty maps and
        // slices; every field is optional here all the same.
        self.info = ContainerInfo(
            config: Self.stringMap(info["Config"]),
            containerID: info["ContainerID"]?.string ?? "",
            containerName: info["ContainerName"]?.string ?? "",
            containerEntrypoint: info["ContainerEntrypoint"]?.string ?? "",
            containerArgs: Self.strings(info["ContainerArgs"]),
            containerImageID: info["ContainerImageID"]?.string ?? "",
            containerImageName: info["ContainerImageName"]?.string ?? "",
            containerCreated: info["ContainerCreated"]?.string ?? "",
            containerEnv: Self.strings(info["ContainerEnv"]),
            containerLabels: Self.stringMap(info["ContainerLabels"]),
            logPath: info["LogPath"]?.string ?? "",
            daemonName: info["DaemonName"]?.string ?? "docker")
    }

    private static func strings(_ value: JSONValue?) -> [String] {
        value?.array?.compactMap(\.string) ?? []
    }

    /// daemon.json log-opts must be strings; anything else is ignored rather than
    /// guessed at (Docker itself refuses non-strings before we see them).
    private static func stringMap(_ value: JSONValue?) -> [String: String] {
        var result: [String: String] = [:]
        for (key, item) in value?.object ?? [:] {
            if let text = item.string { result[key] = text }
        }
        return result
    }
}

extension StartLoggingRequest {
    /// The request as the daemon shapes it, for the re-attach record; `init(json:)`
    /// reads it back.
    var json: JSONValue {
        func strings(_ list: [String]) -> JSONValue { .array(list.map { .string($0) }) }
        func map(_ entries: [String: String]) -> JSONValue { .object(entries.mapValues { .string($0) }) }
        return .object([
            "File": .string(file),
            "Info": .object([
                "Config": map(info.config),
                "ContainerID": .string(info.containerID),
                "ContainerName": .string(info.containerName),
                "ContainerEntrypoint": .string(info.containerEntrypoint),
                "ContainerArgs": strings(info.containerArgs),
                "ContainerImageID": .string(info.containerImageID),
                "ContainerImageName": .string(info.containerImageName),
                "ContainerCreated": .string(info.containerCreated),
                "ContainerEnv": strings(info.containerEnv),
                "ContainerLabels": map(info.containerLabels),
                "LogPath": .string(info.logPath),
                "DaemonName": .string(info.daemonName),
            ]),
        ])
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
