/// The five TLS options of one destination, named after its address option with
/// Docker's suffixes: `syslog-tls-ca-cert` … for `syslog-address`, `tcp-tls-ca-cert` …
/// for `tcp-address`. They apply only when that address is `tcp+tls://`.
public struct TLSOptionGroup: Sendable, Hashable {
    public let address: LogOption
    public let caCertificates: LogOption
    public let certificate: LogOption
    public let key: LogOption
    public let skipVerify: LogOption
    public let serverName: LogOption

    init(address: LogOption) {
        self.address = address
        precondition(address.name.hasSuffix("-address"))
        let prefix = String(address.name.dropLast("-address".count))
        caCertificates = LogOption(
            name: "\(prefix)-tls-ca-cert", defaultDescription: "",
            summary: "PEM file of CA certificates trusted for a `tcp+tls://` `\(address.name)`, in addition to the system CA bundle. A relative path is read in the certificate directory (see TLS below).")
        certificate = LogOption(
            name: "\(prefix)-tls-cert", defaultDescription: "",
            summary: "PEM client certificate (its chain may follow it) for a server that requires mutual TLS; needs `\(prefix)-tls-key`.")
        key = LogOption(
            name: "\(prefix)-tls-key", defaultDescription: "",
            summary: "Unencrypted PEM private key of `\(prefix)-tls-cert`.")
        skipVerify = LogOption(
            name: "\(prefix)-tls-skip-verify", defaultDescription: "false",
            summary: "`true` (or `1`) accepts any server certificate and name: encryption without authentication. Unlike Docker's driver, `false` (or `0`) keeps verification on.")
        serverName = LogOption(
            name: "\(prefix)-tls-server-name", defaultDescription: "",
            summary: "Name the server's certificate must carry, also sent as SNI; default: the host of `\(address.name)`. An IP address is matched against the certificate's IP addresses.")
    }

    var all: [LogOption] { [caCertificates, certificate, key, skipVerify, serverName] }
}
