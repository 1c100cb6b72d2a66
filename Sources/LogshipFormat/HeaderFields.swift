import LogshipEvents

/// Making header fields safe for RFC 5424 / RFC 3164 parsers.
enum HeaderField {
    /// RFC 5424 §6: APP-NAME, MSGID and HOSTNAME are PRINTUSASCII (33...126), with
    /// length limits. Anything else (spaces from a tag template, UTF-8) becomes `_`,
    /// so a tag can never shift the fields after it. Empty becomes the NILVALUE `-`.
    static func printableASCII(_ text: String, maxLength: Int) -> String {
        var bytes: [UInt8] = []
        for scalar in text.unicodeScalars.prefix(maxLength) {
            let value = scalar.value
            bytes.append(value >= 33 && value <= 126 ? UInt8(value) : UInt8(ascii: "_"))
        }
        return bytes.isEmpty ? "-" : String(decoding: bytes, as: UTF8.self)
    }

    static let appNameLimit = 48
    static let msgIDLimit = 32
    static let hostnameLimit = 255
    static let sdNameLimit = 32
}

/// RFC 5424 STRUCTURED-DATA from container attributes: one SD-ELEMENT whose
/// params are the attributes.
enum StructuredData {
    /// `[id name="value" ...]`, or `-` when there is nothing to say.
    static func element(id: String, attributes: [(key: String, value: String)]) -> String {
        guard !attributes.isEmpty else { return "-" }
        var out = "[" + sdName(id)
        for (key, value) in attributes {
            out += " " + sdName(key) + "=\"" + escapeParamValue(value) + "\""
        }
        return out + "]"
    }

    /// The SD-ID of the element a JSON object line's members go in (`parse-json`):
    /// `fields` at the enterprise number of `syslog-sd-id` (`fields@32473` by default), so
    /// an operator with a number of their own has both elements under it.
    static func fieldsID(for structuredDataID: String) -> String {
        let number = structuredDataID.split(separator: "@", maxSplits: 1).dropFirst().first.map(String.init) ?? "32473"
        return sdName("fields@" + number)
    }

    /// `[id name="value"...]` for the members of a JSON object line, but its message
    /// member and null members (`JSONFieldText`); nothing when no member is left.
    /// Names are cut to 32 printable characters like every SD-NAME.
    static func appendElement(id: String, _ fields: JSONLineFields, to out: inout [UInt8]) {
        var opened = false
        for (index, member) in fields.members.enumerated() where index != fields.messageIndex {
            guard let text = JSONFieldText.text(of: member.value) else { continue }
            if !opened {
                out.append(UInt8(ascii: "["))
                out.append(contentsOf: id.utf8)
                opened = true
            }
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: sdName(member.key).utf8)
            out.append(contentsOf: "=\"".utf8)
            out.append(contentsOf: escapeParamValue(text).utf8)
            out.append(UInt8(ascii: "\""))
        }
        if opened { out.append(UInt8(ascii: "]")) }
    }

    /// SD-NAME: 1...32 printable ASCII characters except `=`, space, `]` and `"`.
    static func sdName(_ text: String) -> String {
        var bytes: [UInt8] = []
        for scalar in text.unicodeScalars.prefix(HeaderField.sdNameLimit) {
            let v = scalar.value
            let allowed = v >= 33 && v <= 126 && v != 0x3D && v != 0x5D && v != 0x22
            bytes.append(allowed ? UInt8(v) : UInt8(ascii: "_"))
        }
        return bytes.isEmpty ? "_" : String(decoding: bytes, as: UTF8.self)
    }

    /// PARAM-VALUE: UTF-8 where `"`, `\` and `]` must be escaped with a backslash.
    /// Control characters become spaces: RFC 5424 allows them, but an LF would end
    /// the message on an LF-framed stream and turn the rest of a value (a multi-line
    /// label, a PEM in an env var) into a message of its own.
    static func escapeParamValue(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            if character.value < 0x20 || character.value == 0x7F {
                out.unicodeScalars.append(" ")
                continue
            }
            if character == "\"" || character == "\\" || character == "]" { out.unicodeScalars.append("\\") }
            out.unicodeScalars.append(character)
        }
        return out
    }
}
