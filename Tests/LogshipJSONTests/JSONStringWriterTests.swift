import Testing
import LogshipJSON

@Suite struct JSONStringWriterTests {
    private let fffd: [UInt8] = [0xEF, 0xBF, 0xBD]
    private let quote: [UInt8] = [0x22]

    @Test func copiesPlainTextThrough() {
        #expect(escaped(Array("hello, world".utf8)) == Array("\"hello, world\"".utf8))
        #expect(escaped([]) == Array("\"\"".utf8))
    }

    @Test func escapesQuotesBackslashesAndControls() {
        let input: [UInt8] = [0x22, 0x5C, 0x0A, 0x0D, 0x09, 0x08, 0x0C, 0x00, 0x01, 0x1B, 0x1F, 0x7F, 0x2F]
        #expect(String(decoding: escaped(input), as: UTF8.self) == #""\"\\\n\r\t\b\f\u0000\u0001\u001b\u001f"# + "\u{7F}/\"")
    }

    @Test func findsSpecialBytesAtEveryPositionOfAWord() {
        for length in 1...24 {
            for position in 0..<length {
                for special: UInt8 in [0x22, 0x5C, 0x0A, 0x00, 0x1F] {
                    var input = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    input[position] = special
                    var expected = quote + [UInt8](repeating: UInt8(ascii: "a"), count: position)
                    switch special {
                    case 0x22: expected += [0x5C, 0x22]
                    case 0x5C: expected += [0x5C, 0x5C]
                    case 0x0A: expected += [0x5C, UInt8(ascii: "n")]
                    case 0x00: expected += Array("\\u0000".utf8)
                    default: expected += Array("\\u001f".utf8)
                    }
                    expected += [UInt8](repeating: UInt8(ascii: "a"), count: length - position - 1) + quote
                    #expect(escaped(input) == expected, "length \(length) position \(position) byte \(special)")
                }
            }
        }
    }

    @Test func copiesValidMultiByteUTF8Unchanged() {
        let text = "héllo → 世界 😀 \u{10FFFF} \u{FFFD}"
        #expect(escaped(Array(text.utf8)) == quote + Array(text.utf8) + quote)
    }

    /// Expected bytes follow the Unicode "maximal subpart" practice (Unicode §3.9, Table 3-8).
    @Test(arguments: [
        ([0x80] as [UInt8], 1),
        ([0xBF], 1),
        ([0xC0, 0x80], 2),
        ([0xC1, 0xBF], 2),
        ([0xC2], 1),
        ([0xE0, 0x80, 0x80], 3),
        ([0xE0, 0xA0], 1),
        ([0xE1, 0x80], 1),
        ([0xED, 0xA0, 0x80], 3),
        ([0xF0, 0x80, 0x80, 0x80], 4),
        ([0xF0, 0x9F, 0x98], 1),
        ([0xF4, 0x90, 0x80, 0x80], 4),
        ([0xF5, 0x80, 0x80, 0x80], 4),
        ([0xFE], 1),
        ([0xFF, 0xFF], 2),
    ])
    func replacesIllFormedSequences(input: [UInt8], replacements: Int) {
        var expected = quote
        for _ in 0..<replacements { expected += fffd }
        #expect(escaped(input) == expected + quote)
    }

    @Test func replacesTheUnicodeStandardExample() {
        // Unicode Table 3-8: 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64 → a � � � b � c � � d
        let input: [UInt8] = [0x61, 0xF1, 0x80, 0x80, 0xE1, 0x80, 0xC2, 0x62, 0x80, 0x63, 0x80, 0xBF, 0x64]
        let expected = quote + [0x61] + fffd + fffd + fffd + [0x62] + fffd + [0x63] + fffd + fffd + [0x64] + quote
        #expect(escaped(input) == expected)
    }

    @Test func keepsTextAroundAnInvalidByteAndEscapesAfterIt() {
        let input = Array("abc".utf8) + [0xFF] + Array("d\"é\n".utf8)
        #expect(escaped(input) == quote + Array("abc".utf8) + fffd + Array("d\\\"é\\n".utf8) + quote)
    }

    @Test func appendsToExistingContentWithoutQuotesWhenAskedTo() {
        var output = Array("prefix:".utf8)
        output.appendJSONStringContents("tab\there")
        #expect(output == Array("prefix:tab\\there".utf8))
        output.appendJSONString("x")
        #expect(output == Array("prefix:tab\\there\"x\"".utf8))
    }

    @Test func everyOutputParsesBackToTheRepairedInput() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let input = (0..<Int.random(in: 0...40, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let output = escaped(input)
            let parsed = try JSONParser.parse(output)
            #expect(parsed == .string(String(decoding: input, as: UTF8.self)), "\(input)")
        }
    }
}
