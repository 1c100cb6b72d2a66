/// The container facts the daemon sends with StartLogging (`Info` in
/// daemon/logger/loginfo.go), already decoded from JSON.
public struct ContainerInfo: Sendable, Equatable {
    public var config: [String: String]
    public var containerID: String
    /// With Docker's leading slash, e.g. "/web".
    public var containerName: String
    public var containerEntrypoint: String
    public var containerArgs: [String]
    public var containerImageID: String
    public var containerImageName: String
    /// RFC 3339 text as the daemon sent it.
    public var containerCreated: String
    public var containerEnv: [String]
    public var containerLabels: [String: String]
    public var logPath: String
    public var daemonName: String

    public init(config: [String: String] = [:], containerID: String = "", containerName: String = "",
                containerEntrypoint: String = "", containerArgs: [String] = [], containerImageID: String = "",
                containerImageName: String = "", containerCreated: String = "", containerEnv: [String] = [],
                containerLabels: [String: String] = [:], logPath: String = "", daemonName: String = "docker") {
        self.config = config
        self.containerID = containerID
        self.containerName = containerName
        self.containerEntrypoint = containerEntrypoint
        self.containerArgs = containerArgs
        self.containerImageID = containerImageID
        self.containerImageName = containerImageName
        self.containerCreated = containerCreated
        self.containerEnv = containerEnv
        self.containerLabels = containerLabels
        self.logPath = logPath
        self.daemonName = daemonName
    }

    /// `{{.ID}}`: the first 12 characters of the container ID.
    public var shortID: String { String(containerID.prefix(12)) }

    /// `{{.Name}}`: the name without the leading slash.
    public var name: String {
        containerName.hasPrefix("/") ? String(containerName.dropFirst()) : containerName
    }

    /// `{{.ImageID}}`: 12 hex characters without `sha256:` (Docker ≥ 29.4.1; older
    /// engines rendered `sha256:` and 5 characters, which identifies nothing).
    public var shortImageID: String {
        let hex = containerImageID.hasPrefix("sha256:") ? containerImageID.dropFirst(7) : Substring(containerImageID)
        return String(hex.prefix(12))
    }

    /// `{{.Command}}`: entrypoint and arguments joined with spaces.
    public var command: String {
        ([containerEntrypoint] + containerArgs).joined(separator: " ")
    }

    /// The container's environment as KEY → VALUE; entries without `=` are ignored.
    public var environment: [String: String] {
        var result: [String: String] = [:]
        for entry in containerEnv {
            guard let eq = entry.firstIndex(of: "=") else { continue }
            result[String(entry[..<eq])] = String(entry[entry.index(after: eq)...])
        }
        return result
    }
}
