/// How a request's body is delimited (RFC 9112 §6.3), decided from its headers.
enum HTTPBodyFraming: Equatable {
    case none
    case length(Int)
    case chunked

    /// Rejects every combination a front proxy could read differently: Content-Length
    /// with Transfer-Encoding, disagreeing lengths, codings other than one `chunked`.
    static func of(_ request: HTTPRequest, maxBodyBytes: Int) throws(HTTPParseError) -> HTTPBodyFraming {
        let codings = request.headerListElements("transfer-encoding")
        let lengths = request.headerListElements("content-length")
        if !codings.isEmpty {
            guard lengths.isEmpty else { throw .badRequest("both Content-Length and Transfer-Encoding") }
            guard !request.isHTTP10 else { throw .badRequest("Transfer-Encoding in an HTTP/1.0 request") }
            let named = codings.filter { !$0.isEmpty }
            if let unsupported = named.first(where: { !asciiCaseInsensitiveEquals($0, "chunked") }) {
                throw HTTPParseError(status: 501, reason: "transfer coding \(unsupported) not supported")
            }
            guard named.count == 1 else { throw .badRequest("invalid Transfer-Encoding") }
            return .chunked
        }
        guard !lengths.isEmpty else { return .none }
        var length: Int?
        for text in lengths {
            guard !text.isEmpty, text.utf8.allSatisfy(isDigit) else { throw .badRequest("invalid Content-Length") }
            let value = saturatingDecimal(text)
            guard length == nil || length == value else { throw .badRequest("conflicting Content-Length values") }
            length = value
        }
        guard let length, length <= maxBodyBytes else { throw .bodyTooLarge(limit: maxBodyBytes) }
        return length == 0 ? .none : .length(length)
    }

    /// Digits to a number, pinned at `Int.max` so an absurd length is "too large", not a trap.
    private static func saturatingDecimal(_ digits: Substring) -> Int {
        var value = 0
        for digit in digits.utf8 {
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = shifted.addingReportingOverflow(Int(digit - UInt8(ascii: "0")))
            if overflowA || overflowB { return Int.max }
            value = sum
        }
        return value
    }
}
