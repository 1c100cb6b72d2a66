import Testing
@testable import LogshipJSON

@Suite struct JSONParserInvalidTests {
    @Test(arguments: [
        "", " ", "nul", "nulls", "True", "tru", "[", "]", "{", "}", "[1,]", "[,1]", "[1 2]",
        "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{a:1}", "{'a':1}", "{\"a\" 1}", "{,}",
        "01", "-", "-01", "1.", ".5", "1e", "1e+", "+1", "0x10", "NaN", "Infinity", "1.5.2",
        "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"\\\"", "\"\\",
        "{} {}", "[] x", "\"a\" \"b\"", "1 2", "null\u{0}",
    ])
    func rejects(text: String) {
        #expect(parseError(text) != nil, "accepted \(text.debugDescription)")
    }

    @Test func rejectsControlCharactersInStrings() {
        for control in UInt8(0)..<0x20 {
            let document: [UInt8] = [0x22, 0x61, control, 0x22]
            #expect(parseError(document) != nil, "control \(control)")
        }
    }

    @Test func rejectsWhitespaceOtherThanJSONs() {
        #expect(parseError("\u{0B}1") != nil)
        #expect(parseError("\u{0C}1") != nil)
        #expect(parseError("1\u{A0}") != nil)
    }

    @Test func reportsTheOffsetOfTheProblem() {
        #expect(parseError("[1, 2 x]") == JSONError(offset: 6, reason: "expected ',' or ']' in an array"))
        #expect(parseError("{\"a\":1}  x") == JSONError(offset: 9, reason: "unexpected data after the document"))
        #expect(parseError("[1,") == JSONError(offset: 3, reason: "unexpected end of input"))
        #expect(parseError("\"a\u{1}\"")?.offset == 2)
    }

    @Test func describesTheError() {
        #expect(JSONError(offset: 4, reason: "expected a value").description == "invalid JSON at byte 4: expected a value")
    }

    @Test func acceptsNestingUpToTheLimit() throws {
        let nested = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(try parse(nested).array != nil)
        let objects = String(repeating: "{\"a\":", count: 64) + "1" + String(repeating: "}", count: 64)
        #expect(try parse(objects).object != nil)
    }

    @Test func rejectsNestingBeyondTheLimit() {
        let nested = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(parseError(nested)?.reason == "nesting deeper than 64")
        #expect(parseError("[[1]]", maxDepth: 1) != nil)
        #expect(parseError("[1]", maxDepth: 0) != nil)
        #expect(parseError("1", maxDepth: 0) == nil)
    }

    @Test func survivesHugeNestingWithoutExhaustingTheStack() {
        let deep = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        #expect(parseError(deep)?.reason == "nesting deeper than 64")
        let deepObjects = Array(String(repeating: "{\"k\":", count: 200_000).utf8)
        #expect(parseError(deepObjects) != nil)
    }

    @Test func neverTrapsOnShortPrefixesOfAValidDocument() {
        let document = Array(#"{"a":[1,-2.5e3,"x\u00e9\ud83d\ude00",true,false,null,{}]}"#.utf8)
        for length in 0..<document.count {
            #expect(parseError(Array(document[..<length])) != nil, "prefix \(length)")
        }
    }
}
