/// One complete request, body decoded (chunked framing removed).
public struct HTTPRequest: Sendable {
    public var method: String
    /// The request target exactly as sent, e.g. "/LogDriver.StartLogging".
    public var path: String
    /// "HTTP/1.1" or "HTTP/1.0" (any HTTP/1.x is accepted and answered as 1.1).
    public var version: String
    /// In arrival order, names as sent; look them up with `header(_:)`.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, path: String, version: String = "HTTP/1.1", headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.version = version
        self.headers = headers
        self.body = body
    }

    /// The first value of the header `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { asciiCaseInsensitiveEquals($0.name, name) }?.value
    }

    /// Every value of the header `name`, with comma-separated lists split and trimmed.
    func headerListElements(_ name: String) -> [Substring] {
        headers.filter { asciiCaseInsensitiveEquals($0.name, name) }.flatMap { header in
            header.value.split(separator: ",", omittingEmptySubsequences: false).map(trimmingOptionalWhitespace)
        }
    }

    /// Whether the client expects the connection to stay open after the response:
    /// HTTP/1.1 unless it said `Connection: close`, HTTP/1.0 only if it asked for keep-alive.
    public var keepsConnectionOpen: Bool {
        let options = headerListElements("connection")
        if options.contains(where: { asciiCaseInsensitiveEquals($0, "close") }) { return false }
        if isHTTP10 { return options.contains { asciiCaseInsensitiveEquals($0, "keep-alive") } }
        return true
    }

    var isHTTP10: Bool { version == "HTTP/1.0" }
}

func asciiCaseInsensitiveEquals(_ left: some StringProtocol, _ right: some StringProtocol) -> Bool {
    left.utf8.elementsEqual(right.utf8) { asciiLowercased($0) == asciiLowercased($1) }
}

func asciiLowercased(_ byte: UInt8) -> UInt8 {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
}

func trimmingOptionalWhitespace(_ text: Substring) -> Substring {
    let isWhitespace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
    guard let first = text.firstIndex(where: { !isWhitespace($0) }),
          let last = text.lastIndex(where: { !isWhitespace($0) }) else { return "" }
    return text[first...last]
}
