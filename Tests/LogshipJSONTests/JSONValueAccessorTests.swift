import Testing
import LogshipJSON

@Suite struct JSONValueAccessorTests {
    @Test func accessorsAnswerOnlyForTheirOwnKind() {
        let values: [JSONValue] = [.null, .bool(true), .number("1"), .string("s"), .array([]), .object([:])]
        #expect(values.compactMap(\.string) == ["s"])
        #expect(values.compactMap(\.bool) == [true])
        #expect(values.compactMap(\.int) == [1])
        #expect(values.compactMap(\.array).count == 1)
        #expect(values.compactMap(\.object).count == 1)
        #expect(values.filter(\.isNull).count == 1)
        #expect(JSONValue.string("x")["key"] == nil)
    }

    @Test func intAcceptsOnlyIntegersThatFit() {
        #expect(JSONValue.number("-42").int == -42)
        #expect(JSONValue.number("1e2").int == nil)
        #expect(JSONValue.number("1.0").int == nil)
        #expect(JSONValue.number("99999999999999999999").int == nil)
        #expect(JSONValue.number("1.5e1").double == 15)
    }

    @Test func literalsBuildValues() {
        let value: JSONValue = ["Cap": ["ReadLogs": true], "List": [1, "two", nil]]
        #expect(value == .object([
            "Cap": .object(["ReadLogs": .bool(true)]),
            "List": .array([.number("1"), .string("two"), .null]),
        ]))
    }
}
