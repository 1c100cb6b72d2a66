/// The five TLS options of one destination, named after its address option with
/// Docker's suffixes: `syslog-tls-ca-cert` … for `syslog-address`, `tcp-tls-ca-cert` …
/// for `tcp-address`. They apply only when that address uses TLS (`tcp+tls://`, and
/// `relp+tls://` for syslog).
public struct TLSOptionGroup: Sendable, Hashable {
    public let address: LogOption
    /// The address schemes with TLS, as the option texts name them: `tcp+tls://`…
    public let schemes: String
    public let caCertificates: LogOption
    public let certificate: LogOption
    public let key: LogOption
    public let skipVerify: LogOption
    public let serverName: LogOption

    init(address: LogOption, schemes: [String]) {
        self.address = address
        self.schemes = schemes.map { "`\($0)://`" }.joined(separator: " or ")
        precondition(address.name.hasSuffix("-address"))
        let prefix = String(address.name.dropLast("-address".count))
        func option(_ suffix: String, default defaultDescription: String = "", _ summary: String) -> LogOption {
            LogOption(name: "\(prefix)-tls-\(suffix)", defaultDescription: defaultDescription, summary: summary)
        }
        caCertificates = option("ca-cert", "PEM file of CA certificates trusted for a \(self.schemes) `\(address.name)`, in addition to the system CA bundle. A relative path is read in the configuration directory (`CONFIG_DIR`, see TLS below).")
        certificate = option("cert", "PEM client certificate (its chain may follow it) for a server that requires mutual TLS; needs `\(prefix)-tls-key`.")
        key = option("key", "Unencrypted PEM private key of `\(prefix)-tls-cert`.")
        skipVerify = option("skip-verify", default: "false", "`true` (or `1`) accepts any server certificate and name: encryption without authentication. Unlike Docker's driver, `false` (or `0`) keeps verification on.")
        serverName = option("server-name", "Name the server's certificate must carry, also sent as SNI; default: the host of `\(address.name)`. An IP address is matched against the certificate's IP addresses.")
    }

    var all: [LogOption] { [caCertificates, certificate, key, skipVerify, serverName] }
}
