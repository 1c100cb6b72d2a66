/// Why a document was rejected, and at which byte, so a bad request can be answered
/// with a message that points at the problem.
public struct JSONError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The byte where the document stopped making sense.
    public let offset: Int
    public let reason: String

    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}
