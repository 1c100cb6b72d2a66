/// A certificate or key file that cannot be used: which one, where, and why. The
/// option layer adds which option named it.
public struct TLSFileError: Error, CustomStringConvertible, Sendable {
    public enum Role: Sendable {
        case caCertificates, certificate, key

        package var noun: String {
            switch self {
            case .caCertificates: return "CA certificate file"
            case .certificate: return "client certificate file"
            case .key: return "client key file"
            }
        }
    }

    public let role: Role
    public let path: String
    public let problem: String

    package init(role: Role, path: String, problem: String) {
        self.role = role
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(role.noun) \(path): \(problem)" }
}
