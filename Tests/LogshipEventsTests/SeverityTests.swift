import LogshipWire
import Testing
@testable import LogshipEvents

@Suite struct SeverityTests {
    private func prefix(_ text: String) -> (Int, String)? {
        Array(text.utf8).withUnsafeBytes { bytes in
            SeverityPrefix.split(bytes).map { (Int($0.0.code), String(decoding: $0.1, as: UTF8.self)) }
        }
    }

    private func keyword(_ text: String) -> Severity? {
        Array(text.utf8).withUnsafeBytes { SeverityKeyword.find(in: $0) }
    }

    @Test func sdDaemonPrefixes() {
        #expect(prefix("<3>boom")! == (3, "boom"))
        #expect(prefix("<7>")! == (7, ""))
        #expect(prefix("<11>user err")! == (3, "user err"))
        #expect(prefix("<191>x")! == (7, "x"))
        for text in ["<192>x", "<>x", "<3x", "3>x", "<1234>x", " <3>x"] { #expect(prefix(text) == nil, "\(text)") }
    }

    @Test func wordsAndNumbers() {
        #expect(SeverityNames.word("warn") == .warning)
        #expect(SeverityNames.word("ERROR") == .error)
        #expect(SeverityNames.word("Fatal") == .critical)
        #expect(SeverityNames.word("informational") == .info)
        #expect(SeverityNames.word("trace") == .debug)
        #expect(SeverityNames.word("50") == .error)
        #expect(SeverityNames.word("loud") == nil)
        #expect(SeverityNames.number(3) == .error)
        #expect(SeverityNames.number(10) == .debug)
        #expect(SeverityNames.number(30) == .info)
        #expect(SeverityNames.number(40) == .warning)
        #expect(SeverityNames.number(50) == .error)
        #expect(SeverityNames.number(60) == .critical)
        #expect(SeverityNames.number(8) == nil)
        #expect(SeverityNames.number("50.0") == .error)
    }

    @Test func leadingKeywords() {
        #expect(keyword("ERROR something") == .error)
        #expect(keyword("Error: something") == .error)
        #expect(keyword("WARN| x") == .warning)
        #expect(keyword("[warning] x") == .warning)
        #expect(keyword("2024-05-01 12:00:00 [DEBUG] x") == .debug)
        #expect(keyword("2024-05-01 [main] ERROR x") == nil)
        #expect(keyword("2024-05-01 [12345] [Warn] x") == .warning)
        #expect(keyword("Errors everywhere") == nil)
        #expect(keyword("ERROR2 x") == nil)
        #expect(keyword("panic: x") == nil)
        #expect(keyword("information") == nil)
    }

    @Test func severityNamesAreSyslogs() {
        #expect(Severity.of(.stderr).name == "err" && Severity.of(.stdout).name == "info")
        #expect(Severity.warning.name == "warning")
    }
}
