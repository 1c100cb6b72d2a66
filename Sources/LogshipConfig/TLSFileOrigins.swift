import LogshipDestinations

/// Which option named each file of a `tcp+tls` destination, as given, so that a file
/// that cannot be used (read when a stream starts, and at every connect) is reported
/// with the option, the path as the plugin opened it, and where relative and absolute
/// paths are read.
public struct TLSFileOrigins: Sendable, Equatable {
    struct Origin: Sendable, Equatable {
        /// The option and its value, with where it came from (`log-opt syslog-tls-ca-cert="ca.pem"`).
        var setting: String
        var given: String
    }

    /// The address option the files serve (`syslog-address`).
    let address: String
    let configDirectory: String
    private var origins: [TLSFileRole: Origin] = [:]

    init(address: String, configDirectory: String) {
        self.address = address
        self.configDirectory = configDirectory
    }

    mutating func add(_ role: TLSFileRole, setting: String, given: String) {
        origins[role] = Origin(setting: setting, given: given)
    }

    /// What `docker run` shows when the file of `role` cannot be used; `problem` says
    /// which file (as opened) and why.
    public func message(for role: TLSFileRole, path: String, problem: String) -> String {
        let origin = origins[role] ?? Origin(setting: "log-opt \(address)=\"\(path)\"", given: path)
        return "logship: cannot use \(origin.setting): \(problem); \(ConfigDirectory.explanation(for: origin.given, in: configDirectory))"
    }

    /// What `docker run` shows when TLS cannot be set up for another reason.
    public func message(forOther error: any Error) -> String {
        "logship: cannot set up TLS for \(address): \(error)"
    }
}
