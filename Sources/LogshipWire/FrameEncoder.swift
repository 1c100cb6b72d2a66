/// Writes LogEntry frames the way Docker's encoder does (`[u32 BE length][protobuf]`,
/// fields in number order, defaults omitted): the input of the pipeline benchmark and of
/// tests that play the daemon. The plugin itself only reads frames.
public enum FrameEncoder {
    /// One frame; `partial` marks a piece of a line Docker split at 16 KiB.
    public static func frame(source: String, timeNano: UInt64, line: [UInt8],
                             partial: (last: Bool, id: String, ordinal: Int)? = nil) -> [UInt8] {
        var body = field(1, Array(source.utf8)) + [0x10] + varint(timeNano)
        if !line.isEmpty { body += field(3, line) }
        if let partial {
            body += [0x20, 0x01]
            var metadata: [UInt8] = partial.last ? [0x08, 0x01] : []
            metadata += field(2, Array(partial.id.utf8)) + [0x18] + varint(UInt64(partial.ordinal))
            body += field(5, metadata)
        }
        let n = UInt32(body.count)
        return [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + body
    }

    /// A length-delimited field (wire type 2).
    private static func field(_ number: UInt8, _ payload: [UInt8]) -> [UInt8] {
        [number << 3 | 2] + varint(UInt64(payload.count)) + payload
    }

    private static func varint(_ value: UInt64) -> [UInt8] {
        var v = value
        var out: [UInt8] = []
        repeat {
            let byte = UInt8(v & 0x7F)
            v >>= 7
            out.append(v == 0 ? byte : byte | 0x80)
        } while v != 0
        return out
    }
}
