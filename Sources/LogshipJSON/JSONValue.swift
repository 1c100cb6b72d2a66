// The LogshipJSON module: a small JSON reader and writer, for the plugin protocol's
// requests and the json/gelf output formats.

/// A parsed JSON document.
///
/// Numbers keep their source text: request fields are mostly strings, and the few
/// numbers (such as ReadLogs' `Tail`) are converted by the caller to the type it needs,
/// without a lossy detour through `Double`.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

extension JSONValue {
    /// Looks `key` up in an object. When the exact key is absent, a key that differs only
    /// in case is accepted, because the daemon's Go peers decode that way and a plugin
    /// must understand whatever they would.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        if let exact = members[key] { return exact }
        let folded = key.lowercased()
        // Several candidates can only come from a pathological document; the smallest key
        // wins so the answer does not depend on dictionary order.
        let candidate = members.keys.filter { $0.lowercased() == folded }.min()
        return candidate.flatMap { members[$0] }
    }

    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var array: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var object: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The number as an `Int` when it is written as an integer that fits; like Go,
    /// `1e2` or `1.0` are not integers.
    public var int: Int? {
        if case .number(let text) = self { return Int(text) }
        return nil
    }

    public var double: Double? {
        if case .number(let text) = self { return Double(text) }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
