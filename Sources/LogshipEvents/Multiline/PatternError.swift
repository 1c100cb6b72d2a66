/// Why a `multiline-pattern` or `multiline-datetime-format` cannot be used; the message
/// says where and what to write instead, and becomes part of `docker run`'s error.
public struct PatternError: Error, Equatable, CustomStringConvertible, Sendable {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
