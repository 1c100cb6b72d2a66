import COpenSSL

/// A TLS step that failed, in words an operator can act on, with OpenSSL's own
/// explanation (its error queue) attached.
public struct TLSError: Error, CustomStringConvertible, Sendable {
    public let message: String

    init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// OpenSSL reports why a call failed on a per-thread queue of error codes.
enum OpenSSLErrorQueue {
    /// Empties the queue; called before each OpenSSL call whose failure we explain,
    /// so a stale entry never explains a new failure.
    static func clear() { ERR_clear_error() }

    /// Takes every queued error, oldest first, as "reason (detail)" text, e.g.
    /// "certificate verify failed" or "system lib (calling fopen(/x, r))".
    static func drain() -> [String] {
        var reasons: [String] = []
        while true {
            var data: UnsafePointer<CChar>?
            var flags: Int32 = 0
            let code = ERR_get_error_all(nil, nil, nil, &data, &flags)
            if code == 0 { break }
            var text = ERR_reason_error_string(code).map { String(cString: $0) } ?? "error \(code)"
            if flags & ERR_TXT_STRING != 0, let data, data.pointee != 0 { text += " (\(String(cString: data)))" }
            if !reasons.contains(text) { reasons.append(text) }
        }
        return reasons
    }

    /// The drained queue as one phrase, or `fallback` when it was empty.
    static func text(or fallback: String) -> String {
        let reasons = drain()
        return reasons.isEmpty ? fallback : reasons.joined(separator: "; ")
    }
}
