/// How a `tcp+tls` destination checks the server and presents itself.
///
/// Paths are as the plugin sees them (the option layer has already turned relative
/// paths into paths under the certificate mount). The files are read at every
/// connect, never cached, so replacing them on the host takes effect at the next
/// attempt.
public struct TLSSettings: Hashable, Sendable {
    /// PEM CA certificates trusted in addition to the system bundle.
    public var caFile: String?
    /// PEM client certificate (leaf first, then its chain) for mutual TLS.
    public var certificateFile: String?
    /// Unencrypted PEM private key of `certificateFile`.
    public var keyFile: String?
    /// No verification of the server's certificate or name: encryption only.
    public var skipVerify: Bool
    /// The name (or IP address) the server's certificate must carry; a name is also
    /// sent as SNI.
    public var serverName: String

    /// The CA bundle in the plugin's rootfs (plugin/build-rootfs.sh copies the build
    /// host's), trusted when present.
    public static let systemTrustBundle = "/etc/ssl/certs/ca-certificates.crt"

    public init(serverName: String, caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil,
                skipVerify: Bool = false) {
        self.serverName = serverName
        self.caFile = caFile
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.skipVerify = skipVerify
    }

    /// What differs from a plain `tcp+tls://host` with no options, for descriptions.
    func nonDefaultOptions(host: String) -> [(String, String)] {
        var options: [(String, String)] = []
        if let caFile { options.append(("ca", caFile)) }
        if let certificateFile { options.append(("cert", certificateFile)) }
        if let keyFile { options.append(("key", keyFile)) }
        if serverName != host { options.append(("server-name", serverName)) }
        if skipVerify { options.append(("skip-verify", "true")) }
        return options
    }

    /// What the server's certificate is checked against, for error messages.
    package var trustDescription: String {
        var sources = ["the system CA bundle"]
        if let caFile { sources.append(caFile) }
        return sources.joined(separator: " and ")
    }
}
