/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the check of a spool record's
/// sizes and message lengths.
///
/// Chosen over a cheaper hash for what it guarantees, not just makes likely: it
/// detects every burst of up to 32 flipped bits, and every error of up to 3 bits in
/// any input a spool record can have (its Hamming distance is at least 4 up to 2^31
/// bits), so a damaged length is never read as a different valid one.
///
/// Slicing-by-8: eight 256-entry tables, 8 bytes per step. Pure Swift, since the
/// package has no C targets for the SSE4.2 instruction. About 0.5 ns a byte on the
/// benchmark machine; the spool runs it over the 4 bytes of length per message:
/// 1.2 µs for a batch of 600 messages of 100 bytes, whose append takes about 36 µs.
enum CRC32C {
    /// The CRC of `bytes`, continuing from `crc` (the CRC of what came before them;
    /// 0 to start), so a checksum can run over buffers that are not contiguous.
    static func checksum(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        var state = ~crc
        var index = 0
        let count = bytes.count
        tables.withUnsafeBufferPointer { table in
            while count - index >= 8 {
                let low = state ^ UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt32.self))
                let high = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index + 4, as: UInt32.self))
                state = table[7 * 256 + Int(low & 0xFF)] ^ table[6 * 256 + Int((low >> 8) & 0xFF)]
                    ^ table[5 * 256 + Int((low >> 16) & 0xFF)] ^ table[4 * 256 + Int(low >> 24)]
                    ^ table[3 * 256 + Int(high & 0xFF)] ^ table[2 * 256 + Int((high >> 8) & 0xFF)]
                    ^ table[1 * 256 + Int((high >> 16) & 0xFF)] ^ table[Int(high >> 24)]
                index += 8
            }
            while index < count {
                state = table[Int((state ^ UInt32(bytes[index])) & 0xFF)] ^ (state >> 8)
                index += 1
            }
        }
        return ~state
    }

    /// `tables[k * 256 + b]`: the CRC state after byte `b` followed by `k` zero bytes.
    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            tables[byte] = crc
        }
        for k in 1..<8 {
            for byte in 0..<256 {
                let previous = tables[(k - 1) * 256 + byte]
                tables[k * 256 + byte] = tables[Int(previous & 0xFF)] ^ (previous >> 8)
            }
        }
        return tables
    }()
}
