import FuzzSupport
import LogshipJSON

/// What the rest of logship assumes of its JSON reader and writer.
enum RoundTrip {
    /// Whatever the reader accepts, the writer writes back as a document the reader
    /// accepts again, with the same value; and writing is deterministic (sorted keys):
    /// the same value gives the same bytes however its dictionaries are laid out.
    static func checkDocument(_ input: UnsafeRawBufferPointer) {
        guard let value = try? JSONParser.parse(input) else { return }
        let written = value.serialized()
        let relaidOut = Self.relaidOut(value).serialized()
        invariant(relaidOut == written, "the same value gave \(show(written)) and, from other dictionaries, \(show(relaidOut))")
        let reread: JSONValue
        do {
            reread = try JSONParser.parse(written)
        } catch {
            invariant(false, "serialized() wrote a document the parser rejects (\(error)): \(show(written))")
            return
        }
        invariant(reread == value, "round trip changed the value: \(value) became \(reread)")
        let rewritten = reread.serialized()
        invariant(rewritten == written, "writing the same value twice gave \(show(written)) and \(show(rewritten))")
    }

    /// Any bytes at all (a log line) escape to one valid JSON string, whose value is
    /// the bytes with ill-formed UTF-8 replaced by U+FFFD exactly as Swift's own
    /// decoder replaces it (maximal subparts).
    static func checkStringEscaping(_ input: UnsafeRawBufferPointer) {
        var document: [UInt8] = []
        document.appendJSONString(input)
        let value: JSONValue
        do {
            value = try JSONParser.parse(document)
        } catch {
            invariant(false, "appendJSONString wrote invalid JSON (\(error)): \(show(document))")
            return
        }
        guard case .string(let text) = value else {
            invariant(false, "appendJSONString wrote a \(value), not a string")
            return
        }
        let expected = String(decoding: input, as: UTF8.self)
        invariant(Array(text.utf8) == Array(expected.utf8),
                  "escaping \(show(Array(input))) read back as \(show(Array(text.utf8))), expected \(show(Array(expected.utf8)))")
    }

    /// The same value with every object rebuilt in a dictionary of another capacity,
    /// filled in another order: another iteration order, as in another process.
    private static func relaidOut(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let elements):
            return .array(elements.map(relaidOut))
        case .object(let members):
            var rebuilt = [String: JSONValue](minimumCapacity: members.count * 4 + 8)
            for (key, member) in members.reversed() { rebuilt[key] = relaidOut(member) }
            return .object(rebuilt)
        default:
            return value
        }
    }

    /// Bytes as hex for a failure message (the inputs are arbitrary, not text).
    private static func show(_ bytes: [UInt8]) -> String {
        let hexDigits = Array("0123456789abcdef")
        return String(bytes.prefix(512).flatMap { [hexDigits[Int($0 >> 4)], hexDigits[Int($0 & 15)]] })
            + (bytes.count > 512 ? "… (\(bytes.count) bytes)" : "")
    }
}
