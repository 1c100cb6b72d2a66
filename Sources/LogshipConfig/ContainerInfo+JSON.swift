import LogshipJSON

/// `Info` of a StartLogging request as JSON: what the daemon sends, and what the plugin
/// writes back into a stream's re-attach record.
extension ContainerInfo {
    /// The daemon's Go encoder writes every key, with null for empty maps and slices;
    /// every field is optional here all the same.
    public init(json info: JSONValue) {
        self.init(
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

    /// The object as the daemon shapes it.
    public var json: JSONValue {
        func strings(_ list: [String]) -> JSONValue { .array(list.map { .string($0) }) }
        func map(_ entries: [String: String]) -> JSONValue { .object(entries.mapValues { .string($0) }) }
        return .object([
            "Config": map(config),
            "ContainerID": .string(containerID),
            "ContainerName": .string(containerName),
            "ContainerEntrypoint": .string(containerEntrypoint),
            "ContainerArgs": strings(containerArgs),
            "ContainerImageID": .string(containerImageID),
            "ContainerImageName": .string(containerImageName),
            "ContainerCreated": .string(containerCreated),
            "ContainerEnv": strings(containerEnv),
            "ContainerLabels": map(containerLabels),
            "LogPath": .string(logPath),
            "DaemonName": .string(daemonName),
        ])
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
