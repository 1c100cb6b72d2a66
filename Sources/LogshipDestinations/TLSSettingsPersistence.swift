/// The TLS part of an endpoint as written next to its spool (EndpointPersistence.swift),
/// so a TLS destination's spool is recovered after a restart like any other.
extension TLSSettings {
    /// Space-separated `key=value` fields, values percent-encoded so that a path with a
    /// space, `=` or `%` survives; one line.
    var persistentForm: String {
        var fields = [("server-name", serverName), ("skip-verify", skipVerify ? "1" : "0")]
        if let caFile { fields.append(("ca", caFile)) }
        if let certificateFile { fields.append(("cert", certificateFile)) }
        if let keyFile { fields.append(("key", keyFile)) }
        return fields.map { "\($0.0)=\(TLSSettings.percentEncoded($0.1))" }.joined(separator: " ")
    }

    init?(persistentForm text: Substring) {
        var values: [String: String] = [:]
        for field in text.split(separator: " ") {
            guard let equals = field.firstIndex(of: "="),
                  let value = TLSSettings.percentDecoded(field[field.index(after: equals)...]) else { return nil }
            values[String(field[..<equals])] = value
        }
        guard let serverName = values["server-name"], let skip = values["skip-verify"], skip == "0" || skip == "1" else { return nil }
        self.init(serverName: serverName, caFile: values["ca"], certificateFile: values["cert"], keyFile: values["key"],
                  skipVerify: skip == "1")
    }

    private static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            if byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "%") && byte != UInt8(ascii: "=") {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }

    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let high = utf8.index(after: index)
                guard high < utf8.endIndex, utf8.index(after: high) < utf8.endIndex,
                      let value = UInt8(String(decoding: [utf8[high], utf8[utf8.index(after: high)]], as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(value)
                index = utf8.index(high, offsetBy: 2)
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
