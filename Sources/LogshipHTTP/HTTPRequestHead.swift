/// Parsing of the request line and header fields (RFC 9112 §3 and §5), strictly:
/// anything ambiguous is a 400 rather than a guess, because two parsers that guess
/// differently are how requests get smuggled.
enum HTTPRequestHead {
    /// Parses a head that ends with its blank line; lines end in CRLF or a bare LF.
    static func parse(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPRequest {
        var lines = try HTTPLines.split(bytes)
        guard !lines.isEmpty else { throw .badRequest("empty request") }
        var request = try parseRequestLine(lines.removeFirst())
        request.headers = try lines.map { line throws(HTTPParseError) in try parseField(line) }
        return request
    }

    static func parseRequestLine(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPRequest {
        let parts = line.split(separator: space, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .badRequest("malformed request line") }
        let (method, target, version) = (parts[0], parts[1], parts[2])
        guard !method.isEmpty, method.allSatisfy(isTokenCharacter) else { throw .badRequest("invalid method") }
        guard !target.isEmpty, target.allSatisfy({ $0 > space && $0 < 0x7F }) else {
            throw .badRequest("invalid request target")
        }
        try checkVersion(version)
        return HTTPRequest(method: ascii(method), path: ascii(target), version: ascii(version))
    }

    /// `HTTP/<digit>.<digit>`; any 1.x is served, other majors get 505.
    static func checkVersion(_ version: ArraySlice<UInt8>) throws(HTTPParseError) {
        let prefix = Array("HTTP/".utf8)
        guard version.count == 8, version.starts(with: prefix) else { throw .badRequest("malformed HTTP version") }
        let major = version[version.startIndex + 5]
        let dot = version[version.startIndex + 6]
        let minor = version[version.startIndex + 7]
        guard isDigit(major), dot == UInt8(ascii: "."), isDigit(minor) else { throw .badRequest("malformed HTTP version") }
        guard major == UInt8(ascii: "1") else {
            throw HTTPParseError(status: 505, reason: "HTTP version \(ascii(version)) not supported")
        }
    }

    /// `name ":" OWS value OWS`, also used for chunked trailers.
    static func parseField(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> (name: String, value: String) {
        if let first = line.first, first == space || first == tab {
            throw .badRequest("obsolete header line folding")
        }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw .badRequest("header line without ':'") }
        let name = line[..<colon]
        guard !name.isEmpty, name.allSatisfy(isTokenCharacter) else { throw .badRequest("invalid header name") }
        var value = line[(colon + 1)...]
        while let first = value.first, first == space || first == tab { value.removeFirst() }
        while let last = value.last, last == space || last == tab { value.removeLast() }
        guard value.allSatisfy({ $0 == tab || ($0 >= space && $0 != 0x7F) }) else {
            throw .badRequest("invalid character in header \(ascii(name))")
        }
        return (ascii(name), String(decoding: value, as: UTF8.self))
    }

    private static func ascii(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }
}

/// Line splitting shared by heads, trailers and chunk-size lines.
enum HTTPLines {
    /// Splits a block ending with a blank line into its non-blank lines, without their
    /// terminators. A CR anywhere but right before LF is rejected.
    static func split(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        while let newline = bytes[start...].firstIndex(of: lineFeed) {
            let line = try stripCarriageReturn(bytes[start..<newline])
            if line.isEmpty { break }
            lines.append(line)
            start = newline + 1
        }
        return lines
    }

    static func stripCarriageReturn(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> ArraySlice<UInt8> {
        var line = line
        if line.last == carriageReturn { line.removeLast() }
        guard !line.contains(carriageReturn) else { throw .badRequest("bare CR in a line") }
        return line
    }
}

let space = UInt8(ascii: " ")
let tab = UInt8(ascii: "\t")
let carriageReturn = UInt8(ascii: "\r")
let lineFeed = UInt8(ascii: "\n")

func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

/// RFC 9110 `tchar`: the characters allowed in methods and header names.
func isTokenCharacter(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
         UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
         UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"),
         UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
        return true
    default:
        return false
    }
}
