/// logship's configuration directory (`CONFIG_DIR`): where `routes.conf` is read and
/// where relative certificate paths in TLS options point. It lies inside the plugin's
/// `config` mount (config.json), whose host side the operator chooses with
/// `docker plugin set logship config.source=DIR`.
///
/// A managed plugin has its own root filesystem, so a path in an option can never be
/// a host path; Docker's driver and other plugins resolve such paths inside the
/// plugin and fail with "no such file", the most reported TLS problem with log
/// plugins (grafana/loki#3725). Relative paths therefore name files in the mounted
/// directory; an absolute path stays a path inside the plugin (e.g. the CA bundle
/// shipped in its rootfs).
public enum ConfigDirectory {
    /// The `config` mount's destination in config.json.
    public static let mountPoint = "/config"
    /// The `config` mount's default source in config.json: a directory every host has.
    public static let defaultHostSource = "/etc"
    /// The routes file's name in the directory.
    public static let routesFileName = "routes.conf"

    /// `CONFIG_DIR`, or its default.
    public static func path(environment: [String: String]) -> String {
        guard let directory = environment[PluginSettings.configDirectory.name], !directory.isEmpty else {
            return PluginSettings.configDirectory.defaultValue
        }
        return directory
    }

    /// An option's path as the plugin opens it.
    static func resolve(_ path: String, in directory: String) -> String {
        if path.hasPrefix("/") { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }

    /// Where the plugin looked, and how that maps to the host, for error messages.
    static func explanation(for option: String, in directory: String) -> String {
        let whereItIs = "the plugin's configuration directory \(directory) (CONFIG_DIR), in the host directory mounted at \(mountPoint) (`docker plugin set logship config.source=DIR`; scripts/install.sh mounts /etc/logship)"
        if option.hasPrefix("/") {
            return "an absolute path is read inside the plugin's own filesystem, not on the host; put the file in \(whereItIs) and give its path relative to that directory"
        }
        return "a relative path is read in \(whereItIs)"
    }
}
