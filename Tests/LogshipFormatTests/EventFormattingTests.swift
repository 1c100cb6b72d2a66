import LogshipEvents
import LogshipJSON
import LogshipWire
import Testing
@testable import LogshipFormat

/// Formats `text` as one event and returns the output as a string.
private func render(_ text: String, severity: Severity = .info, lines: Int = 1, json: Bool = false,
                    _ append: (LogEvent, inout [UInt8]) -> Void) -> String {
    var out: [UInt8] = []
    let fields = JSONLineFields()
    Array(text.utf8).withUnsafeBytes { bytes in
        var event = LogEvent(source: .stdout, timeNano: sampleTime, bytes: bytes, severity: severity, lines: lines)
        if json {
            #expect(fields.read(bytes))
            event.fields = fields
        }
        append(event, &out)
    }
    return String(decoding: out, as: UTF8.self)
}

private let contextWithLabel: FormatContext = {
    var c = sampleContext
    c.attributes = [("app", "shop")]
    return c
}()

@Suite struct EventFormattingTests {
    @Test func syslogPRIFollowsTheSeverity() {
        var f = SyslogFormatter(format: .rfc5424micro, facility: .daemon, delimiting: .lineFeed, context: sampleContext)
        #expect(render("careful", severity: .warning) { f.append($0, to: &$1) }.hasPrefix("<28>1 "))
        var local = SyslogFormatter(format: .rfc3164, facility: SyslogFacility(parsing: "local3")!, delimiting: .lineFeed, context: sampleContext)
        #expect(render("x", severity: .critical) { local.append($0, to: &$1) }.hasPrefix("<154>Nov"))
    }

    @Test func aJoinedMessageIsOneOctetCountedFrame() {
        var f = SyslogFormatter(format: .rfc5424micro, facility: .daemon, delimiting: .octetCounted, context: sampleContext)
        let out = render("first\n\tat x\n\tat y", lines: 3) { f.append($0, to: &$1) }
        let message = "<30>1 2026-11-26T16:16:21.143681Z vm abcdef012345 - abcdef012345 - first\n\tat x\n\tat y\n"
        #expect(out == "\(message.utf8.count) \(message)")
    }

    @Test func jsonAndGELFEscapeTheLFsAndCarryTheLevel() throws {
        var json = JSONLineFormatter(context: sampleContext, levelKey: true)
        let line = render("a\nb", severity: .warning, lines: 2) { json.append($0, to: &$1) }
        #expect(line.filter { $0 == "\n" }.count == 1 && line.hasSuffix("\n"))
        let object = try #require(try JSONParser.parse(Array(line.dropLast().utf8)))
        #expect(object["message"]?.string == "a\nb" && object["level"]?.string == "warning" && object["source"]?.string == "stdout")
        var plain = JSONLineFormatter(context: sampleContext)
        #expect(try JSONParser.parse(Array(render("x") { plain.append($0, to: &$1) }.dropLast().utf8))["level"] == nil)

        var gelf = GELFFormatter(context: sampleContext)
        let message = render("a\nb", severity: .error, lines: 2) { gelf.append($0, to: &$1) }
        #expect(!message.dropLast().contains("\0") && !message.contains("\n"))
        let document = try JSONParser.parse(Array(message.dropLast().utf8))
        #expect(document["short_message"]?.string == "a\nb" && document["level"]?.int == 3)
    }

    @Test func jsonOutputNestsAnObjectLineUnderFields() throws {
        var f = JSONLineFormatter(context: contextWithLabel)
        let line = render(#"{"msg":"hello","n":1.5,"ok":true,"user":{"id":7},"tags":["a"],"none":null}"#, json: true) { f.append($0, to: &$1) }
        #expect(line.contains(#""message":"hello","fields":{"msg":"hello","n":1.5,"ok":true,"user":{"id":7},"tags":["a"],"none":null},"attrs":{"app":"shop"}}"#), "\(line)")
        #expect(try JSONParser.parse(Array(line.dropLast().utf8)).object != nil)
        // Without a message member the line itself is the message.
        #expect(render(#"{"a":1}"#, json: true) { f.append($0, to: &$1) }.contains(#""message":"{\"a\":1}","fields":{"a":1}"#))
    }

    @Test func gelfMakesScalarMembersAdditionalFieldsAndNestedOnesJSONText() throws {
        var f = GELFFormatter(context: sampleContext)
        let out = render(#"{"message":"hi","user id":"u1","n":2,"ok":false,"nested":{"b":1,"a":[2]},"id":"x","container_name":"fake","skip":null}"#,
                         json: true) { f.append($0, to: &$1) }
        let document = try JSONParser.parse(Array(out.dropLast().utf8))
        #expect(document["short_message"]?.string == "hi")
        #expect(document["_user_id"]?.string == "u1" && document["_n"]?.int == 2 && document["_ok"]?.string == "false")
        #expect(document["_nested"]?.string == #"{"a":[2],"b":1}"#)
        #expect(document["_id_"]?.string == "x" && document["_container_name"]?.string == "web")
        #expect(document["_skip"] == nil && document["_message"] == nil)
    }

    @Test func rfc5424PutsScalarMembersInAnElementOfTheirOwn() {
        var f = SyslogFormatter(format: .rfc5424, facility: .daemon, delimiting: .octetCounted, structuredDataID: "acme@12345",
                                context: contextWithLabel)
        let key = String(repeating: "k", count: 40)
        let out = render(#"{"msg":"done","q":"a\"b]c\\d","\#(key)":1,"a=b":true}"#, json: true) { f.append($0, to: &$1) }
        let message = #"<30>1 2026-11-26T16:16:21Z vm abcdef012345 - abcdef012345 [acme@12345 app="shop"][fields@12345 q="a\"b\]c\\d" \#(String(repeating: "k", count: 32))="1" a_b="true"] done"# + "\n"
        #expect(out == "\(message.utf8.count) \(message)")
        var bsd = SyslogFormatter(format: .rfc3164, facility: .daemon, delimiting: .lineFeed, context: sampleContext)
        #expect(render(#"{"msg":"x"}"#, json: true) { bsd.append($0, to: &$1) }.hasSuffix(#": {"msg":"x"}"# + "\n"))
    }

    @Test func anLFInAJSONMessageDoesNotEndAnLFFramedMessage() {
        var lf = SyslogFormatter(format: .rfc5424, facility: .daemon, delimiting: .lineFeed, context: sampleContext)
        let out = render(#"{"msg":"a\nb"}"#, json: true) { lf.append($0, to: &$1) }
        #expect(out.hasSuffix(#" a\nb"# + "\n") && out.filter { $0 == "\n" }.count == 1, "\(out)")
        var counted = SyslogFormatter(format: .rfc5424, facility: .daemon, delimiting: .octetCounted, context: sampleContext)
        #expect(render(#"{"msg":"a\nb"}"#, json: true) { counted.append($0, to: &$1) }.hasSuffix(" a\nb\n"))
    }
}
