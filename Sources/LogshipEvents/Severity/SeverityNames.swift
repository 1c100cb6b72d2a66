/// The words and numbers applications use for their levels, read as syslog severities.
///
/// Words (any case): `emerg`/`emergency` 0; `alert` 1; `crit`/`critical`/`fatal`/`panic`/
/// `dpanic` 2 (logrus and zap send panics and fatals as crit); `err`/`error` 3;
/// `warn`/`warning` 4; `notice` 5; `info`/`information`/`informational` 6;
/// `debug`/`trace`/`verbose` 7.
/// Numbers: 0–7 are syslog severities as they are; 10–60 are pino's and bunyan's levels
/// (10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal; values in between round
/// down to the level below).
public enum SeverityNames {
    public static func word(_ bytes: UnsafeRawBufferPointer) -> Severity? {
        guard bytes.count >= 3, bytes.count <= 13 else { return nil }
        // Lowercased into a fixed buffer: no String for each line that is looked at.
        var folded: (UInt64, UInt64) = (0, 0)
        let length = bytes.count
        withUnsafeMutableBytes(of: &folded) { raw in
            for i in 0..<length {
                let b = bytes[i]
                raw[i] = (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b
            }
        }
        for (word, severity) in table where word.count == length {
            let equal = withUnsafeBytes(of: folded) { raw in word.withUnsafeBytes { $0.elementsEqual(raw[0..<length]) } }
            if equal { return severity }
        }
        return nil
    }

    public static func word(_ text: String) -> Severity? {
        var text = text
        return text.withUTF8 { word(UnsafeRawBufferPointer($0)) } ?? number(text)
    }

    /// A level number (see the type's comment); nil when it means nothing known.
    public static func number(_ value: Int) -> Severity? {
        switch value {
        case 0...7: return Severity(code: value)
        case 60...100: return .critical
        case 50..<60: return .error
        case 40..<50: return .warning
        case 30..<40: return .info
        case 10..<30: return .debug
        default: return nil
        }
    }

    /// A number written as JSON text (`50`, `50.0`).
    public static func number(_ text: String) -> Severity? {
        if let value = Int(text) { return number(value) }
        if let value = Double(text), value.isFinite, value >= 0, value <= 100, value == value.rounded(.down) {
            return number(Int(value))
        }
        return nil
    }

    private static let table: [([UInt8], Severity)] = [
        ("emerg", Severity.emergency), ("emergency", .emergency), ("alert", .alert),
        ("crit", .critical), ("critical", .critical), ("fatal", .critical), ("panic", .critical), ("dpanic", .critical),
        ("err", .error), ("error", .error), ("warn", .warning), ("warning", .warning), ("notice", .notice),
        ("info", .info), ("information", .info), ("informational", .info),
        ("debug", .debug), ("trace", .debug), ("verbose", .debug),
    ].map { (Array($0.0.utf8), $0.1) }
}
