import Testing
@testable import LogshipFormat

@Suite struct JSONAndGELFFormatterTests {
    @Test func jsonLineHasEveryFieldInOrder() {
        var f = JSONLineFormatter(context: sampleContext)
        let out = render("hello \"world\"\tend", source: .stderr) { f.append($0, to: &$1) }
        #expect(out == "{\"time\":\"2026-11-26T16:16:21.143681123Z\",\"host\":\"vm\",\"source\":\"stderr\","
            + "\"container_id\":\"\(sampleContext.containerID)\",\"container_name\":\"web\",\"image_name\":\"busybox\","
            + "\"image_id\":\"\(sampleContext.imageID)\",\"tag\":\"abcdef012345\",\"message\":\"hello \\\"world\\\"\\tend\"}\n")
    }

    @Test func jsonAttrsObjectOnlyWhenThereAreAttributes() {
        var context = sampleContext
        context.attributes = [(key: "app", value: "shop"), (key: "x\"y", value: "1")]
        var f = JSONLineFormatter(context: context)
        let out = render("m") { f.append($0, to: &$1) }
        #expect(out.hasSuffix("\"message\":\"m\",\"attrs\":{\"app\":\"shop\",\"x\\\"y\":\"1\"}}\n"))
    }

    @Test func invalidUTF8NeverBreaksTheJSON() {
        var f = JSONLineFormatter(context: sampleContext)
        let out = renderBytes([0x61, 0xFF, 0x62, 0x0A, 0x00]) { f.append($0, to: &$1) }
        #expect(String(decoding: out, as: UTF8.self).hasSuffix("\"message\":\"a\u{FFFD}b\\n\\u0000\"}\n"))
    }

    @Test func gelfMessage() {
        var f = GELFFormatter(context: sampleContext)
        let out = render("boom", source: .stderr) { f.append($0, to: &$1) }
        #expect(out == "{\"version\":\"1.1\",\"host\":\"vm\",\"short_message\":\"boom\",\"timestamp\":1795709781.143681,\"level\":3,"
            + "\"_container_id\":\"\(sampleContext.containerID)\",\"_container_name\":\"web\",\"_image_id\":\"\(sampleContext.imageID)\","
            + "\"_image_name\":\"busybox\",\"_command\":\"sh -c echo\",\"_created\":\"2026-11-26T16:00:00.5Z\",\"_tag\":\"abcdef012345\"}\0")
    }

    @Test func gelfAttributeNamesAreSanitised() {
        var context = sampleContext
        context.attributes = [(key: "com.example/app", value: "a"), (key: "id", value: "b"), (key: "tag", value: "ignored: _tag exists")]
        var f = GELFFormatter(context: context)
        let out = render("m") { f.append($0, to: &$1) }
        #expect(out.contains(",\"_com.example_app\":\"a\""))
        #expect(out.contains(",\"_id_\":\"b\""))
        #expect(!out.contains("ignored"))
        #expect(out.hasSuffix("}\0"))
    }

    @Test func rawIsTheLineAndLF() {
        var f = RawFormatter()
        #expect(render("as is \u{1B}[0m") { f.append($0, to: &$1) } == "as is \u{1B}[0m\n")
    }
}
