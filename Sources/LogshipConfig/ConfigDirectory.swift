/// Where relative certificate paths in TLS options are read: the plugin's `certs`
/// mount (config.json), whose host side the operator chooses with
/// `docker plugin set logship certs.source=DIR`.
///
/// A managed plugin has its own root filesystem, so a path in an option can never be
/// a host path; Docker's driver and other plugins resolve such paths inside the
/// plugin and fail with "no such file", the most reported TLS problem with log
/// plugins (grafana/loki#3725). Relative paths therefore name files in the mounted
/// directory; an absolute path stays a path inside the plugin (e.g. the CA bundle
/// shipped in its rootfs).
public enum CertificateDirectory {
    /// The mount's destination in config.json.
    public static let mountPoint = "/certs"
    /// The mount's default source in config.json.
    public static let defaultHostSource = "/etc"
    /// Overrides `mountPoint` when the binary runs outside Docker (the tests do).
    public static let environmentOverride = "LOGSHIP_CERTS_DIR"

    static func path(environment: [String: String]) -> String {
        guard let directory = environment[environmentOverride], !directory.isEmpty else { return mountPoint }
        return directory
    }

    /// An option's path as the plugin opens it.
    static func resolve(_ path: String, in directory: String) -> String {
        if path.hasPrefix("/") { return path }
        return directory.hasSuffix("/") ? directory + path : directory + "/" + path
    }

    /// Where the plugin looked, and how that maps to the host, for error messages.
    static func explanation(for option: String, in directory: String) -> String {
        if option.hasPrefix("/") {
            return "an absolute path is read inside the plugin's own filesystem, not on the host; put the file in the certificate directory (the host directory set with `docker plugin set logship certs.source=DIR`, default \(defaultHostSource), seen by the plugin as \(directory)) and give its path relative to that directory"
        }
        return "a relative path is read in the plugin's certificate directory \(directory), which is the host directory set with `docker plugin set logship certs.source=DIR` (default \(defaultHostSource))"
    }
}
