/// A request that cannot be served, with the status to answer before closing.
public struct HTTPParseError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The status to answer with (4xx, 5xx).
    public let status: Int
    public let reason: String

    public var description: String { "\(status) \(reason)" }

    static func badRequest(_ reason: String) -> HTTPParseError { HTTPParseError(status: 400, reason: reason) }
    static func bodyTooLarge(limit: Int) -> HTTPParseError {
        HTTPParseError(status: 413, reason: "request body larger than \(limit) bytes")
    }
    static func headersTooLarge(_ what: String, limit: Int) -> HTTPParseError {
        HTTPParseError(status: 431, reason: "\(what) larger than \(limit) bytes")
    }
}

/// What the parser has for the caller after being fed.
public enum HTTPParseResult: Sendable {
    case request(HTTPRequest)
    case needMoreData
    /// The connection cannot continue: answer `status` and close. Sticky.
    case failure(HTTPParseError)
}
