import Testing
@testable import LogshipFormat

@Suite struct SyslogFormatterTests {
    private func formatter(_ format: SyslogFormat, delimiting: SyslogDelimiting = .lineFeed, facility: SyslogFacility = .daemon,
                           context: FormatContext = sampleContext) -> SyslogFormatter {
        SyslogFormatter(format: format, facility: facility, delimiting: delimiting, context: context)
    }

    @Test func rfc5424MicroIsTheDockerLayoutWithEntryTimeAndNilProcID() {
        var f = formatter(.rfc5424micro)
        #expect(render("hello stdout") { f.append($0, to: &$1) }
            == "<30>1 2026-11-26T16:16:21.143681Z vm abcdef012345 - abcdef012345 - hello stdout\n")
    }

    @Test func rfc5424WholeSecondsAndStderrSeverity() {
        var f = formatter(.rfc5424)
        #expect(render("hello stderr", source: .stderr) { f.append($0, to: &$1) }
            == "<27>1 2026-11-26T16:16:21Z vm abcdef012345 - abcdef012345 - hello stderr\n")
    }

    @Test func rfc3164AndUnixLayouts() {
        var bsd = formatter(.rfc3164)
        #expect(render("hi") { bsd.append($0, to: &$1) } == "<30>Nov 26 16:16:21 vm abcdef012345: hi\n")
        var unix = formatter(.unix)
        #expect(render("hi", source: .stderr) { unix.append($0, to: &$1) } == "<27>Nov 26 16:16:21 abcdef012345: hi\n")
    }

    @Test func singleDigitDayIsSpacePadded() {
        var f = formatter(.rfc3164)
        // 2026-11-06T01:02:03Z
        #expect(render("x", time: 1_793_926_923_000_000_000) { f.append($0, to: &$1) } == "<30>Nov  6 01:02:03 vm abcdef012345: x\n")
    }

    @Test func octetCountingCountsTheTrailingLF() {
        var f = formatter(.rfc5424micro, delimiting: .octetCounted)
        let message = "<30>1 2026-11-26T16:16:21.143681Z vm abcdef012345 - abcdef012345 - hello stdout\n"
        #expect(render("hello stdout") { f.append($0, to: &$1) } == "\(message.utf8.count) \(message)")
        // Docker's captured byte count for the same shape with a 5-digit PID is 84.
        #expect(message.utf8.count == 84 - 5 + 1)
    }

    @Test func facilityAndPriority() {
        var f = formatter(.rfc5424, facility: SyslogFacility(parsing: "local7")!)
        #expect(render("x", source: .stderr) { f.append($0, to: &$1) }.hasPrefix("<187>1 "))
        var kern = formatter(.rfc5424, facility: SyslogFacility(parsing: "0")!)
        #expect(render("x") { kern.append($0, to: &$1) }.hasPrefix("<6>1 "))
    }

    @Test func tagIsSanitisedAndTruncatedToRFC5424Limits() {
        var context = sampleContext
        context.tag = "my app/" + String(repeating: "x", count: 60) + "é"
        var f = formatter(.rfc5424, context: context)
        let out = render("m") { f.append($0, to: &$1) }
        let fields = out.split(separator: " ")
        #expect(fields[3] == "my_app/" + String(repeating: "x", count: 41))  // APP-NAME: 48
        #expect(fields[5] == "my_app/" + String(repeating: "x", count: 25))  // MSGID: 32
    }

    @Test func emptyTagAndHostBecomeNilValues() {
        var context = sampleContext
        context.tag = ""
        context.hostname = ""
        var f = formatter(.rfc5424, context: context)
        #expect(render("m") { f.append($0, to: &$1) } == "<30>1 2026-11-26T16:16:21Z - - - - - m\n")
    }

    @Test func attributesBecomeEscapedStructuredData() {
        var context = sampleContext
        context.attributes = [(key: "com.example/app name", value: "a\"b\\c]d"), (key: "env", value: "prod é")]
        var f = formatter(.rfc5424, context: context)
        #expect(render("m") { f.append($0, to: &$1) }
            == "<30>1 2026-11-26T16:16:21Z vm abcdef012345 - abcdef012345 [logship@32473 com.example/app_name=\"a\\\"b\\\\c\\]d\" env=\"prod é\"] m\n")
    }

    @Test func controlCharactersInAttributeValuesCannotBreakFraming() {
        var context = sampleContext
        context.attributes = [(key: "cert", value: "-----BEGIN-----\r\nMIIB\t\u{7F}x")]
        var f = formatter(.rfc5424, context: context)
        let out = render("m") { f.append($0, to: &$1) }
        #expect(out.hasSuffix("[logship@32473 cert=\"-----BEGIN-----  MIIB  x\"] m\n"))
        #expect(out.filter { $0 == "\n" }.count == 1)
    }

    @Test func customStructuredDataID() {
        var context = sampleContext
        context.attributes = [(key: "k", value: "v")]
        var f = SyslogFormatter(format: .rfc5424, facility: .daemon, delimiting: .lineFeed, structuredDataID: "docker@12345", context: context)
        #expect(render("m") { f.append($0, to: &$1) }.contains("[docker@12345 k=\"v\"] m\n"))
    }

    @Test func messageBytesPassThroughUntouched() {
        var f = formatter(.rfc5424)
        let line: [UInt8] = [0xFF, 0x00, 0x0D]
        let out = renderBytes(line) { f.append($0, to: &$1) }
        #expect(Array(out.suffix(4)) == line + [0x0A])
    }

    @Test func headerLengthMatchesOutput() {
        for format in SyslogFormat.allCases {
            for delimiting in [SyslogDelimiting.lineFeed, .none] {
                var f = formatter(format, delimiting: delimiting)
                let out = render("") { f.append($0, to: &$1) }
                #expect(out.utf8.count == f.headerLength)
            }
        }
    }

    /// Over RELP the command carries the length: the message ends with the line itself.
    /// A trailing LF would reach rsyslog as part of the message ("#012" at its end).
    @Test func messagesForRELPHaveNoDelimiter() {
        var f = formatter(.rfc5424micro, delimiting: .none)
        #expect(render("hello") { f.append($0, to: &$1) }
            == "<30>1 2026-11-26T16:16:21.143681Z vm abcdef012345 - abcdef012345 - hello")
    }

    @Test func facilityParsing() {
        #expect(SyslogFacility(parsing: "daemon")?.code == 3)
        #expect(SyslogFacility(parsing: "local0")?.code == 16)
        #expect(SyslogFacility(parsing: "23")?.code == 23)
        #expect(SyslogFacility(parsing: "24") == nil)
        #expect(SyslogFacility(parsing: "ntp") == nil)  // Docker has no name for 12
        #expect(SyslogFacility(parsing: "Daemon") == nil)
    }
}
