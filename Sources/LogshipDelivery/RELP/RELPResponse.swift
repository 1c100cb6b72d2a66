/// The data of a `rsp` frame: `STATUS [SP HUMAN-TEXT] [LF DATA]`.
///
/// STATUS is three digits, 200 for success (librelp answers every `syslog` command
/// with "200 OK", and refuses with "500 …"). An empty `rsp` is what librelp answers a
/// `close` with; it carries no status.
struct RELPResponse: Equatable {
    /// nil for an empty answer.
    var status: Int?
    /// The human-readable part, for logs.
    var text: String
    /// What follows the first LF: the server's offers in the answer to `open`.
    var data: ArraySlice<UInt8>

    var isSuccess: Bool { status == 200 }

    /// The longest human-readable text kept for a log line.
    static let maximumTextLength = 200

    init(parsing bytes: ArraySlice<UInt8>) throws(RELPProtocolError) {
        guard !bytes.isEmpty else {
            status = nil
            text = ""
            data = bytes[bytes.startIndex..<bytes.startIndex]
            return
        }
        let digits = bytes.prefix(3)
        guard digits.count == 3, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw RELPProtocolError("an answer that does not start with a three-digit status: \(RELPResponse.printable(bytes.prefix(40)))")
        }
        status = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        var index = bytes.startIndex + 3
        let lineEnd = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
        if index < lineEnd {
            guard bytes[index] == UInt8(ascii: " ") else {
                throw RELPProtocolError("an answer whose status is followed by \(RELPResponse.printable(bytes[index..<min(index + 1, lineEnd)])), not a space")
            }
            index += 1
        }
        text = RELPResponse.printable(bytes[index..<lineEnd].prefix(RELPResponse.maximumTextLength))
        data = lineEnd < bytes.endIndex ? bytes[(lineEnd + 1)...] : bytes[bytes.endIndex...]
    }

    /// The status and text as the server sent them, for logs: "500 command disabled".
    var summary: String {
        guard let status else { return "an empty answer" }
        return text.isEmpty ? String(status) : "\(status) \(text)"
    }

    /// Bytes as text for a log line: printable ASCII kept, anything else `\xNN`, so a
    /// hostile server cannot write control characters into the plugin log.
    static func printable(_ bytes: some Collection<UInt8>) -> String {
        var out = ""
        for byte in bytes {
            if byte >= 0x20 && byte < 0x7F {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16)
                out += "\\x" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }
}

/// The offers of the server's answer to `open` (`NAME[=VALUE[,VALUE]…]`, one a line):
/// which protocol version and commands the session may use.
struct RELPOffers: Equatable {
    private(set) var values: [String: [String]] = [:]

    init(parsing bytes: ArraySlice<UInt8>) {
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            let equals = line.firstIndex(of: UInt8(ascii: "="))
            let name = String(decoding: line[..<(equals ?? line.endIndex)], as: UTF8.self)
            guard !name.isEmpty else { continue }
            let valueText = equals.map { line[($0 + 1)...] } ?? line[line.endIndex...]
            values[name] = valueText.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: true)
                .map { String(decoding: $0, as: UTF8.self) }
        }
    }

    subscript(name: String) -> [String]? { values[name] }

    /// What a session needs from the server's offers: a relp_version (without it the
    /// client must close, says the specification) and the `syslog` command. Nil when
    /// they are there, otherwise why not.
    var problemForSyslog: String? {
        guard let version = values["relp_version"], !version.isEmpty else {
            return "the server's answer to open has no relp_version offer"
        }
        guard values["commands"]?.contains("syslog") == true else {
            return "the server does not offer the syslog command (its commands: \(values["commands"]?.joined(separator: ",") ?? "none"))"
        }
        return nil
    }
}
