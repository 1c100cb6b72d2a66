import LogshipFormat
import LogshipWire
import Testing

/// logship's own messages in a container's stream (drop notices) are warnings, with the
/// container's tag and fields like its lines.
@Suite struct NoticeFormattingTests {
    @Test func syslogSendsThemAtSeverityWarning() {
        var daemon = SyslogFormatter(format: .rfc5424micro, facility: SyslogFacility(parsing: "daemon")!, delimiting: .lineFeed, context: sampleContext)
        #expect(render("logship: 3 messages", source: .logship) { daemon.append($0, to: &$1) }
            == "<28>1 2026-11-26T16:16:21.143681Z vm abcdef012345 - abcdef012345 - logship: 3 messages\n")
        var local0 = SyslogFormatter(format: .rfc3164, facility: SyslogFacility(parsing: "local0")!, delimiting: .lineFeed, context: sampleContext)
        #expect(render("n", source: .logship) { local0.append($0, to: &$1) }.hasPrefix("<132>Nov 26 "))
    }

    @Test func gelfAndJSONMarkThem() {
        var gelf = GELFFormatter(context: sampleContext)
        #expect(render("logship: 3 messages", source: .logship) { gelf.append($0, to: &$1) }.contains(#","level":4,"#))
        var json = JSONLineFormatter(context: sampleContext)
        #expect(render("logship: 3 messages", source: .logship) { json.append($0, to: &$1) }.contains(#""source":"logship","#))
        // The containers' own lines are as they were.
        #expect(render("x", source: .stderr) { gelf.append($0, to: &$1) }.contains(#","level":3,"#))
        #expect(render("x") { json.append($0, to: &$1) }.contains(#""source":"stdout","#))
    }
}
