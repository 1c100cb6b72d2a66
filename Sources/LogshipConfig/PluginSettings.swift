import LogshipDestinations

/// Plugin-wide settings (not per container): environment variables set with
/// `docker plugin set logship NAME=value` while the plugin is disabled.
public struct PluginSetting: Sendable, Hashable {
    public let name: String
    public let defaultValue: String
    public let summary: String
}

public struct PluginSettings: Sendable {
    public static let logLevel = PluginSetting(
        name: "LOG_LEVEL", defaultValue: "info",
        summary: "The plugin's own log (in the daemon log): `debug`, `info`, `warn` or `error`.")
    public static let queueSize = PluginSetting(
        name: "QUEUE_SIZE", defaultValue: "16m",
        summary: "Memory per destination for messages waiting to be sent. With the spool it is a cache (older messages are read back from disk); without it, the queue.")
    public static let spoolSize = PluginSetting(
        name: "SPOOL_SIZE", defaultValue: "1g",
        summary: "Disk per destination for messages waiting to be sent (under `STATE_DIR`). `0` keeps queues in memory only.")
    public static let spoolTotalSize = PluginSetting(
        name: "SPOOL_TOTAL_SIZE", defaultValue: "4g",
        summary: "Disk for all spools together, so that many destinations that are down cannot fill the disk Docker uses. When it is reached, a destination that must spool drops its own oldest segment (with `drop-oldest`), and what it cannot spool is kept in memory only, up to `QUEUE_SIZE`. `0`: no limit besides `SPOOL_SIZE` per destination.")
    public static let spoolSync = PluginSetting(
        name: "SPOOL_SYNC", defaultValue: "none",
        summary: "`none`: spooled messages survive a crash or restart of the plugin, not of the host. `batch`: `fdatasync` after every batch, surviving a host crash at the cost of a disk flush per batch.")
    public static let queueOverflow = PluginSetting(
        name: "QUEUE_OVERFLOW", defaultValue: "drop-oldest",
        summary: "When a destination's spool (or memory queue) is full: `drop-oldest` (counted and logged; containers never wait) or `block` (nothing is dropped, but containers stall while their destination is down).")
    public static let stateDirectory = PluginSetting(
        name: "STATE_DIR", defaultValue: "/run/docker/logging/logship-state",
        summary: "Where the spool and the list of open streams (for re-attaching after a plugin restart) are kept. The default is inside the plugin's propagated mount (beside the FIFOs Docker creates), which `docker plugin upgrade` keeps; `docker plugin rm` deletes it.")
    public static let metricsAddress = PluginSetting(
        name: "METRICS_ADDRESS", defaultValue: "",
        summary: "`host:port` for a Prometheus `/metrics` and a `/health` endpoint, e.g. `127.0.0.1:9323`; off when empty. The plugin shares the host's network: `:9323` (or `0.0.0.0:9323`) listens on every interface of the host, so anyone who can reach the host can read the metrics (container names and destinations).")
    public static let resolveInterval = PluginSetting(
        name: "RESOLVE_INTERVAL", defaultValue: "60s",
        summary: "How often a connected destination looks up its host name again (UDP included) and reconnects if the addresses changed.")
    public static let failbackInterval = PluginSetting(
        name: "FAILBACK_INTERVAL", defaultValue: "30s",
        summary: "How often a destination sending to a fail-over address tries its first address again.")
    public static let configDirectory = PluginSetting(
        name: "CONFIG_DIR", defaultValue: "/config/logship",
        summary: "logship's configuration directory as the plugin sees it, inside the `config` mount (the host directory mounted at `/config`): `routes.conf` is read here, and relative paths in the `*-tls-*` options name files here. The default is the host's `/etc/logship` under the mount's default source, the host's `/etc`; scripts/install.sh mounts the host's `/etc/logship` alone and sets `/config`.")
    public static let socket = PluginSetting(
        name: "LOGSHIP_SOCKET", defaultValue: "/run/docker/plugins/logship.sock",
        summary: "Where the plugin listens (for running outside Docker's plugin system; `--socket` does the same).")

    public static let all = [logLevel, queueSize, spoolSize, spoolTotalSize, spoolSync, queueOverflow, stateDirectory, metricsAddress,
                             resolveInterval, failbackInterval, configDirectory, socket]

    public var logLevel: String
    public var socketPath: String
    public var stateDirectory: String
    /// `CONFIG_DIR`: where routes.conf and relative certificate paths are read.
    public var configDirectory: String
    /// `host:port`, or nil when metrics are off.
    public var metricsAddress: (host: String, port: UInt16)?
    public var delivery = DeliverySettings()
    /// Whether `SPOOL_SIZE` asks for a spool (it is still dropped if STATE_DIR is unusable).
    public var spoolRequested: Bool

    /// Reads the settings; an invalid value is an error naming the variable, because
    /// a plugin that ignored it silently would leave the operator guessing.
    public init(environment: [String: String]) throws(OptionError) {
        func value(_ setting: PluginSetting) -> String {
            if let v = environment[setting.name], !v.isEmpty { return v }
            return setting.defaultValue
        }
        func invalid(_ setting: PluginSetting, _ text: String, _ expected: String) -> OptionError {
            OptionError("logship: invalid \(setting.name)=\(text): expected \(expected)")
        }
        logLevel = value(Self.logLevel).lowercased()
        guard ["debug", "info", "warn", "error"].contains(logLevel) else {
            throw invalid(Self.logLevel, logLevel, "debug, info, warn or error")
        }
        let queueText = value(Self.queueSize)
        guard let memory = ByteSize.parse(queueText), memory >= 64 * 1024 else {
            throw invalid(Self.queueSize, queueText, "a size of at least 64k, such as 16m")
        }
        delivery.memoryBytes = memory
        let spoolText = value(Self.spoolSize)
        guard let spoolBytes = ByteSize.parse(spoolText), spoolBytes == 0 || spoolBytes >= 1 << 20 else {
            throw invalid(Self.spoolSize, spoolText, "0 (no spool) or a size of at least 1m, such as 1g")
        }
        spoolRequested = spoolBytes > 0
        delivery.spoolBytes = spoolBytes
        let totalText = value(Self.spoolTotalSize)
        guard let totalBytes = ByteSize.parse(totalText), totalBytes == 0 || totalBytes >= 1 << 20 else {
            throw invalid(Self.spoolTotalSize, totalText, "0 (no limit) or a size of at least 1m, such as 4g")
        }
        delivery.spoolTotalBytes = totalBytes
        let syncText = value(Self.spoolSync)
        guard let sync = SpoolSync(rawValue: syncText) else { throw invalid(Self.spoolSync, syncText, "none or batch") }
        delivery.spoolSync = sync
        let overflowText = value(Self.queueOverflow)
        guard let overflow = OverflowPolicy(rawValue: overflowText) else {
            throw invalid(Self.queueOverflow, overflowText, "drop-oldest or block")
        }
        delivery.overflow = overflow
        stateDirectory = value(Self.stateDirectory)
        guard stateDirectory.hasPrefix("/") else { throw invalid(Self.stateDirectory, stateDirectory, "an absolute path") }
        let metricsText = value(Self.metricsAddress)
        if metricsText.isEmpty {
            metricsAddress = nil
        } else {
            guard let colon = metricsText.lastIndex(of: ":"), let port = UInt16(metricsText[metricsText.index(after: colon)...]) else {
                throw invalid(Self.metricsAddress, metricsText, "host:port, such as 127.0.0.1:9323")
            }
            var host = String(metricsText[..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            metricsAddress = (host.isEmpty ? "0.0.0.0" : host, port)
        }
        for (setting, apply) in [(Self.resolveInterval, { (d: Int64, s: inout DeliverySettings) in s.resolveIntervalNanoseconds = d }),
                                 (Self.failbackInterval, { (d: Int64, s: inout DeliverySettings) in s.failbackIntervalNanoseconds = d })] {
            let text = value(setting)
            guard let nanoseconds = DurationText.parse(text), nanoseconds >= 100_000_000, nanoseconds <= DurationText.day else {
                throw invalid(setting, text, "a duration from 100ms to 24h, such as 30s or 5m")
            }
            apply(nanoseconds, &delivery)
        }
        configDirectory = value(Self.configDirectory)
        guard configDirectory.hasPrefix("/") else { throw invalid(Self.configDirectory, configDirectory, "an absolute path inside the plugin, such as /config") }
        socketPath = value(Self.socket)
    }

    public var spoolDirectory: String { stateDirectory + "/spool" }
    public var streamsDirectory: String { stateDirectory + "/streams" }
}
