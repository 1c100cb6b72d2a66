import LogshipHTTP

/// The limits the parser is fuzzed with: the server's own, and tiny ones so that the
/// 413 and 431 paths are reached by inputs of a few dozen bytes.
struct ParserLimits: CustomStringConvertible {
    var maxHeaderBytes: Int
    var maxBodyBytes: Int

    static let all = [
        ParserLimits(maxHeaderBytes: HTTPServerLimits().maxHeaderBytes, maxBodyBytes: HTTPServerLimits().maxBodyBytes),
        ParserLimits(maxHeaderBytes: 96, maxBodyBytes: 40),
    ]

    var description: String { "maxHeaderBytes \(maxHeaderBytes), maxBodyBytes \(maxBodyBytes)" }
}
