import Testing
@testable import LogshipJSON

/// Inputs on which the fuzz-json target (Fuzz/, scripts/fuzz.sh) found a broken
/// property.
@Suite struct JSONFuzzRegressionTests {
    /// `serialized()` promises that equal values give equal bytes, but its key order
    /// came from Swift's `String <`, which (Swift 6.3.1) answers false both ways for
    /// "e\u{301}" and "\u{e9}a": a string that is canonically equivalent to a prefix
    /// of the other. Sorting then kept whatever order the dictionary happened to
    /// iterate in, which differs between processes and between dictionaries.
    /// Go sorts map keys by their UTF-8 bytes; so does the expectation here.
    /// Reproducer: {"a":0,"b":1,"e\u0301":2,"\u00e9a":3} in raw UTF-8,
    /// 7b2261223a302c2262223a312c2265cc81223a322c22c3a961223a337d.
    @Test func keyOrderDoesNotDependOnTheDictionary() throws {
        let input: [UInt8] = Array("{\"a\":0,\"b\":1,\"e\u{301}\":2,\"\u{e9}a\":3}".utf8)
        guard case .object(let members) = try JSONParser.parse(input) else {
            Issue.record("expected an object")
            return
        }
        var outputs: Set<[UInt8]> = []
        for capacity in [0, 8, 16, 32, 64, 128] {
            for order in [Array(members), Array(members.reversed())] {
                var rebuilt = [String: JSONValue](minimumCapacity: capacity)
                for (key, value) in order { rebuilt[key] = value }
                outputs.insert(JSONValue.object(rebuilt).serialized())
            }
        }
        #expect(outputs == [input])
    }
}
