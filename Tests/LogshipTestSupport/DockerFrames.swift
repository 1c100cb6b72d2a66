/// Frames for tests that play the Docker daemon.

/// A LogEntry frame as the daemon writes it: [uint32 BE length][protobuf].
public func dockerFrame(_ source: String, _ line: [UInt8], time: UInt64 = 1_700_000_000_123_456_789,
                 partial: (last: Bool, id: String, ordinal: Int)? = nil) -> [UInt8] {
    func varint(_ value: UInt64) -> [UInt8] {
        var v = value
        var out: [UInt8] = []
        repeat {
            let byte = UInt8(v & 0x7F)
            v >>= 7
            out.append(v == 0 ? byte : byte | 0x80)
        } while v != 0
        return out
    }
    func field(_ tag: UInt8, _ payload: [UInt8]) -> [UInt8] { [tag] + varint(UInt64(payload.count)) + payload }
    var body = field(0x0A, Array(source.utf8)) + [0x10] + varint(time)
    if !line.isEmpty { body += field(0x1A, line) }
    if let partial {
        body += [0x20, 0x01]
        var meta: [UInt8] = []
        if partial.last { meta += [0x08, 0x01] }
        meta += field(0x12, Array(partial.id.utf8)) + [0x18] + varint(UInt64(partial.ordinal))
        body += field(0x2A, meta)
    }
    let n = UInt32(body.count)
    return [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + body
}
