import LogshipJSON
import LogshipWire
import Testing
@testable import LogshipEvents

@Suite struct EventBuilderTests {
    private struct Seen: Equatable {
        var text: String
        var severity: Severity
        var lines = 1
        var fields: [String]? = nil
        var message: String? = nil
    }

    private func events(_ settings: EventSettings, _ lines: [(String, LogSource)]) throws -> [Seen] {
        let builder = try EventBuilder(settings: settings, maxMessageBytes: 1 << 20)
        var out: [Seen] = []
        let collect = { (e: LogEvent) in
            out.append(Seen(text: String(decoding: e.bytes, as: UTF8.self), severity: e.severity, lines: e.lines,
                            fields: e.fields?.members.map(\.key), message: e.fields?.message))
        }
        for (text, source) in lines {
            Array(text.utf8).withUnsafeBytes { builder.push(Line(source: source, timeNano: 1, bytes: $0), now: 0, emit: collect) }
        }
        builder.finish(emit: collect)
        return out
    }

    @Test func levelFromStreamIsDockers() throws {
        #expect(try events(EventSettings(levelFrom: .stream), [("<3>x", .stdout), ("ERROR y", .stderr)])
            == [Seen(text: "<3>x", severity: .info), Seen(text: "ERROR y", severity: .error)])
    }

    @Test func levelFromPrefixStripsIt() throws {
        #expect(try events(EventSettings(levelFrom: .prefix), [("<3>boom", .stdout), ("<6>fine", .stderr), ("plain", .stderr)])
            == [Seen(text: "boom", severity: .error), Seen(text: "fine", severity: .info), Seen(text: "plain", severity: .error)])
    }

    @Test func levelFromJSONReadsTheLevelMember() throws {
        let seen = try events(EventSettings(levelFrom: .json), [(#"{"level":"warn","msg":"x"}"#, .stdout), (#"{"severity":"ERROR"}"#, .stdout),
                                                                 (#"{"level":50}"#, .stdout), (#"{"Lvl":"debug"}"#, .stderr),
                                                                 ("ERROR not json", .stdout), (#"{"level":"weird"}"#, .stderr)])
        #expect(seen.map(\.severity) == [.warning, .error, .error, .debug, .info, .error])
        #expect(seen.allSatisfy { $0.fields == nil })
    }

    @Test func levelFromAutoTriesPrefixThenJSONThenKeywordThenStream() throws {
        let seen = try events(EventSettings(levelFrom: .auto), [("<2>crit", .stdout), (#"{"level":"warn"}"#, .stdout),
                                                                 ("ERROR something", .stdout), ("[debug] x", .stderr), ("hello", .stderr)])
        #expect(seen.map(\.severity) == [.critical, .warning, .error, .debug, .error])
        #expect(seen[0].text == "crit")
    }

    @Test func parseJSONReadsObjectLinesIntoFieldsInTheirOrder() throws {
        let seen = try events(EventSettings(parseJSON: true), [(#"{"b":1,"msg":"hello","a":{"x":true}}"#, .stdout), ("[1,2]", .stdout),
                                                                (#"{"broken":"#, .stdout)])
        #expect(seen[0].fields == ["b", "msg", "a"] && seen[0].message == "hello")
        #expect(seen[1].fields == nil && seen[2].fields == nil)
    }

    @Test func aJoinedMessageIsNotJSONButKeepsItsFirstLinesPrefixLevel() throws {
        let settings = EventSettings(multiline: MultilineSettings(rule: .pattern(#"^\{"#)), levelFrom: .auto, parseJSON: true)
        let seen = try events(settings, [(#"<4>{"level":"error","a":1}"#, .stdout), ("  more", .stdout), (#"{"level":"error"}"#, .stdout)])
        #expect(seen == [Seen(text: "{\"level\":\"error\",\"a\":1}\n  more", severity: .warning, lines: 2),
                         Seen(text: #"{"level":"error"}"#, severity: .error, fields: ["level"])])
    }
}
