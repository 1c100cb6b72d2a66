/// Plugin-wide settings (not per container): environment variables set with
/// `docker plugin set logship NAME=value` while the plugin is disabled.
public struct PluginSetting: Sendable, Hashable {
    public let name: String
    public let defaultValue: String
    public let summary: String
}

public struct PluginSettings: Sendable, Equatable {
    public static let logLevel = PluginSetting(
        name: "LOG_LEVEL", defaultValue: "info",
        summary: "The plugin's own log (in the daemon log): `debug`, `info`, `warn` or `error`.")
    public static let queueSize = PluginSetting(
        name: "QUEUE_SIZE", defaultValue: "16m",
        summary: "Memory for messages waiting to be sent, per destination; when full, the oldest are dropped and counted.")
    public static let socket = PluginSetting(
        name: "LOGSHIP_SOCKET", defaultValue: "/run/docker/plugins/logship.sock",
        summary: "Where the plugin listens (for running outside Docker's plugin system; `--socket` does the same).")

    public static let all = [logLevel, queueSize, socket]

    public var logLevel: String
    public var queueBytes: Int
    public var socketPath: String

    /// Reads the settings; an invalid value is an error naming the variable, because
    /// a plugin that ignored it silently would leave the operator guessing.
    public init(environment: [String: String]) throws(OptionError) {
        func value(_ setting: PluginSetting) -> String {
            if let v = environment[setting.name], !v.isEmpty { return v }
            return setting.defaultValue
        }
        logLevel = value(Self.logLevel).lowercased()
        guard ["debug", "info", "warn", "error"].contains(logLevel) else {
            throw OptionError("logship: invalid \(Self.logLevel.name)=\(logLevel): expected debug, info, warn or error")
        }
        let queueText = value(Self.queueSize)
        guard let bytes = ByteSize.parse(queueText), bytes >= 64 * 1024 else {
            throw OptionError("logship: invalid \(Self.queueSize.name)=\(queueText): expected a size of at least 64k, such as 16m or 1g")
        }
        queueBytes = bytes
        socketPath = value(Self.socket)
    }
}
