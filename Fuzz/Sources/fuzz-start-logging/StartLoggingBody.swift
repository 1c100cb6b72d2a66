import LogshipConfig
import LogshipJSON

/// The `File` and `Info` of a StartLogging body, read with the same rules as
/// `StartLoggingRequest` in Sources/LogshipPlugin/Protocol/PluginRequests.swift.
/// That type is internal to LogshipPlugin, so this is a copy: keep the two in step.
struct StartLoggingBody {
    var file: String
    var info: ContainerInfo

    init?(json: JSONValue) {
        guard let file = json["File"]?.string, !file.isEmpty else { return nil }
        guard let info = json["Info"], info.object != nil else { return nil }
        self.file = file
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

    private static func stringMap(_ value: JSONValue?) -> [String: String] {
        var result: [String: String] = [:]
        for (key, item) in value?.object ?? [:] {
            if let text = item.string { result[key] = text }
        }
        return result
    }
}
