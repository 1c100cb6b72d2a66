import Testing
import LogshipJSON

/// Ill-formed UTF-8 inside a string is repaired, not rejected: the daemon's own
/// encoder would have done the same, and a log line must not be lost over one byte.
@Suite struct JSONParserUTF8Tests {
    private func parsedString(_ inner: [UInt8]) throws -> [UInt8] {
        let value = try JSONParser.parse([0x22] + inner + [0x22])
        return Array(try #require(value.string).utf8)
    }

    private let fffd: [UInt8] = [0xEF, 0xBF, 0xBD]

    @Test func replacesAStrayContinuationByte() throws {
        #expect(try parsedString([0x61, 0x80, 0x62]) == [0x61] + fffd + [0x62])
    }

    @Test func replacesATruncatedSequenceOnceAsAMaximalSubpart() throws {
        #expect(try parsedString([0xE2, 0x82]) == fffd)
        #expect(try parsedString([0xF0, 0x9F, 0x98, 0x41]) == fffd + [0x41])
    }

    @Test func replacesOverlongsAndSurrogatesBytePerByte() throws {
        #expect(try parsedString([0xC0, 0xAF]) == fffd + fffd)
        #expect(try parsedString([0xED, 0xA0, 0x80]) == fffd + fffd + fffd)
        #expect(try parsedString([0xF5, 0x80]) == fffd + fffd)
    }

    @Test func repairsInStringsThatAlsoHaveEscapes() throws {
        #expect(try parsedString([0x5C, 0x6E, 0xFF, 0x5C, 0x74]) == [0x0A] + fffd + [0x09])
    }

    @Test func repairsObjectKeys() throws {
        let value = try JSONParser.parse(Array("{\"k".utf8) + [0xFF] + Array("\":1}".utf8))
        #expect(value["k\u{FFFD}"] == .number("1"))
    }

    @Test func rejectsInvalidUTF8OutsideStrings() {
        #expect(parseError([0xEF, 0xBB, 0xBF] + Array("{}".utf8)) != nil)
        #expect(parseError(Array("[1]".utf8) + [0xFF]) != nil)
    }
}
