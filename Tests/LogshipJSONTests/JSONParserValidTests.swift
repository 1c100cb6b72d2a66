import Testing
import LogshipJSON

@Suite struct JSONParserValidTests {
    @Test(arguments: [
        ("null", JSONValue.null),
        ("true", .bool(true)),
        ("false", .bool(false)),
        ("0", .number("0")),
        ("-0", .number("-0")),
        ("-12.5e+3", .number("-12.5e+3")),
        ("1E-7", .number("1E-7")),
        ("123456789012345678901234567890", .number("123456789012345678901234567890")),
        ("\"\"", .string("")),
        ("\"plain\"", .string("plain")),
        ("[]", .array([])),
        ("{}", .object([:])),
        (" \t\r\n[ 1 , \"a\" , null ]\n", .array([.number("1"), .string("a"), .null])),
        ("{\"a\":{\"b\":[true,false]}}", .object(["a": .object(["b": .array([.bool(true), .bool(false)])])])),
    ])
    func parsesDocument(text: String, expected: JSONValue) throws {
        #expect(try parse(text) == expected)
    }

    @Test func decodesEveryEscape() throws {
        let value = try parse(#""\"\\\/\b\f\n\r\t\u0041\u00e9\u20ac\ud83d\ude00\u0000""#)
        #expect(value == .string("\"\\/\u{08}\u{0C}\n\r\tAé€😀\u{0}"))
    }

    @Test func keepsMultiByteUTF8() throws {
        #expect(try parse("\"héllo → 世界 😀\"") == .string("héllo → 世界 😀"))
    }

    @Test func loneSurrogatesBecomeReplacementCharacters() throws {
        #expect(try parse(#""\ud800""#) == .string("\u{FFFD}"))
        #expect(try parse(#""\udc00x""#) == .string("\u{FFFD}x"))
        #expect(try parse(#""\ud800\u0041""#) == .string("\u{FFFD}A"))
        #expect(try parse(#""\ud800\ud800\udc00""#) == .string("\u{FFFD}\u{10000}"))
        #expect(try parse(#""\ud800\n""#) == .string("\u{FFFD}\n"))
    }

    @Test func repeatedKeyKeepsTheLastValue() throws {
        #expect(try parse(#"{"a":1,"a":2}"#) == .object(["a": .number("2")]))
    }

    @Test func allowsDeleteAndSlashUnescaped() throws {
        #expect(try parse("\"a/\u{7F}b\"") == .string("a/\u{7F}b"))
    }
}
