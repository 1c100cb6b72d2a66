import Testing
import LogshipJSON

@Suite struct JSONSerializationTests {
    @Test func writesCompactJSONWithSortedKeys() {
        let value: JSONValue = ["b": [1, true, nil], "a": "x\"y", "Cap": ["ReadLogs": false], "e": [:], "f": []]
        #expect(String(decoding: value.serialized(), as: UTF8.self)
            == #"{"Cap":{"ReadLogs":false},"a":"x\"y","b":[1,true,null],"e":{},"f":[]}"#)
    }

    @Test func writesTheDockerResponses() {
        let implements: JSONValue = ["Implements": ["LogDriver"]]
        #expect(implements.serialized() == Array(#"{"Implements":["LogDriver"]}"#.utf8))
        let failure: JSONValue = ["Err": "bad option\n\"tag\""]
        #expect(failure.serialized() == Array(#"{"Err":"bad option\n\"tag\""}"#.utf8))
    }

    @Test func roundTripsTheStartLoggingRequest() throws {
        let original = try parse(JSONStartLoggingRequestTests.body)
        let again = try JSONParser.parse(original.serialized())
        #expect(again == original)
    }

    @Test func roundTripsAwkwardStrings() throws {
        let samples = ["", "\u{0}\u{1}\u{1F}\u{7F}", "\\\"/", "héllo 世界 😀", "\u{FFFD}", "\u{2028}\u{2029}", "<&>"]
        for sample in samples {
            let value = JSONValue.array([.string(sample), .object([sample: .string(sample)])])
            #expect(try JSONParser.parse(value.serialized()) == value, "\(sample.debugDescription)")
        }
    }

    @Test func reserializesParsedDocumentsToTheSameBytes() throws {
        let documents = [#"[1,-0.5e10,"a",{"k":[null]}]"#, #"{"a":{"b":{}},"c":"\u00e9"}"#, "\"\\u001f\""]
        let expected = [#"[1,-0.5e10,"a",{"k":[null]}]"#, #"{"a":{"b":{}},"c":"é"}"#, "\"\\u001f\""]
        for (document, output) in zip(documents, expected) {
            #expect(String(decoding: try parse(document).serialized(), as: UTF8.self) == output)
        }
    }
}
