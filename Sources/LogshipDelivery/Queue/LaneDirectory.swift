/// Where a lane's spool lives inside its destination's spool directory, and which lane
/// a directory found there belongs to.
///
/// A container's lane is `lane-<container ID>`; the lane of messages that name no
/// container (the benchmark, tests, and spools written before lanes existed) is the
/// destination's directory itself, so a spool left by an older version is read as it is.
enum LaneDirectory {
    static let prefix = "lane-"

    static func path(root: String, key: String) -> String {
        key.isEmpty ? root : root + "/" + name(for: key)
    }

    /// The directory name for a lane key: the key itself when it is a plain file name
    /// (container IDs are 64 hex characters), else `~` and its bytes in hex.
    static func name(for key: String) -> String {
        let plain = key.utf8.count <= 128 && key.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x5F
        }
        if plain { return prefix + key }
        let hex = key.utf8.prefix(128).map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 15)]], as: UTF8.self)
        }
        return prefix + "~" + hex.joined()
    }

    /// The lane key of a directory `name(for:)` made; nil for anything else.
    static func key(ofName name: String) -> String? {
        guard name.hasPrefix(prefix), name.utf8.count > prefix.utf8.count else { return nil }
        let rest = name.dropFirst(prefix.count)
        guard rest.hasPrefix("~") else { return String(rest) }
        let hex = Array(rest.dropFirst().utf8)
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for i in stride(from: 0, to: hex.count, by: 2) {
            guard let byte = UInt8(String(decoding: hex[i..<i + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(byte)
        }
        let key = String(decoding: bytes, as: UTF8.self)
        return self.name(for: key) == name ? key : nil
    }
}
