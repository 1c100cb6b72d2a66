import Testing
@testable import LogshipDelivery

@Suite struct CRC32CTests {
    private func crc(_ bytes: [UInt8], continuing: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { CRC32C.checksum($0, continuing: continuing) }
    }

    /// The check value of the CRC catalogue, and the iSCSI vectors of RFC 3720 B.4.
    @Test func matchesTheStandardVectors() {
        #expect(crc(Array("123456789".utf8)) == 0xE306_9283)
        #expect(crc([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(crc([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(crc((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(crc((0..<32).map { UInt8(31 - $0) }) == 0x113F_DB5C)
        #expect(crc([]) == 0)
    }

    /// Every split of a buffer gives the CRC of the whole: the 8-byte steps and the
    /// byte-at-a-time tail agree, wherever a buffer starts and ends.
    @Test func continuingOverPiecesEqualsTheWhole() {
        let bytes = (0..<41).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let whole = crc(bytes)
        for split in 0...bytes.count {
            #expect(crc(Array(bytes[split...]), continuing: crc(Array(bytes[..<split]))) == whole)
        }
    }
}
