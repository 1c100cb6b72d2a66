import LogshipDestinations

/// Which option named each file of a `tcp+tls` destination, as given, so that a file
/// that cannot be used (read when a stream starts, and at every connect) is reported
/// with the option, the path as the plugin opened it, and where relative and absolute
/// paths are read.
public struct TLSFileOrigins: Sendable, Equatable {
    struct Origin: Sendable, Equatable {
        /// The option, with where its value came from (`log-opt syslog-tls-ca-cert`).
        var option: String
        var given: String
    }

    /// The address option the files serve (`syslog-address`).
    let address: String
    let certificateDirectory: String
    private var origins: [TLSFileError.Role: Origin] = [:]

    init(address: String, certificateDirectory: String) {
        self.address = address
        self.certificateDirectory = certificateDirectory
    }

    mutating func add(_ role: TLSFileError.Role, option: String, given: String) {
        origins[role] = Origin(option: option, given: given)
    }

    /// What `docker run` shows when a file cannot be used.
    public func message(for error: TLSFileError) -> String {
        let origin = origins[error.role] ?? Origin(option: "log-opt \(address)", given: error.path)
        return "logship: cannot use \(origin.option)=\"\(origin.given)\": \(error); \(CertificateDirectory.explanation(for: origin.given, in: certificateDirectory))"
    }

    /// What `docker run` shows when TLS cannot be set up for another reason.
    public func message(forOther error: any Error) -> String {
        "logship: cannot set up TLS for \(address): \(error)"
    }
}
