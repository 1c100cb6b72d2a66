import LogshipDestinations

/// A certificate or key file that cannot be used: which one, where, and why. The
/// option layer adds which option named it.
public struct TLSFileError: Error, CustomStringConvertible, Sendable {
    /// Which of the destination's files.
    public let role: TLSFileRole
    /// The path as the plugin opened it.
    public let path: String
    /// What is wrong with it, in words (errno's text, or what the parser said).
    public let problem: String

    public var description: String { "\(role.noun) \(path): \(problem)" }
}
