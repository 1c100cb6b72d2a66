/// Which of a `tcp+tls` destination's files: the option layer names the option that
/// gave it (`TLSFileOrigins`), delivery reports what is wrong with it (`TLSFileError`).
public enum TLSFileRole: Sendable {
    case caCertificates, certificate, key

    public var noun: String {
        switch self {
        case .caCertificates: return "CA certificate file"
        case .certificate: return "client certificate file"
        case .key: return "client key file"
        }
    }
}
