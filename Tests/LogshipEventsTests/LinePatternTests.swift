import Testing
@testable import LogshipEvents

@Suite struct LinePatternTests {
    @Test(arguments: [
        (#"^\d{4}-\d{2}-\d{2}"#, "^[0-9]{4}-[0-9]{2}-[0-9]{2}"),
        (#"^\s+at\s"#, "^[\t\n\u{0C}\r ]+at[\t\n\u{0C}\r ]"),
        (#"^[^\s]"#, "^[^\t\n\u{0C}\r ]"),
        (#"^\w+\.\w+"#, "^[0-9A-Z_a-z]+\\.[0-9A-Z_a-z]+"),
        (#"^(?:INFO|WARN)\b"#, "^(INFO|WARN)\\b"),
        (#"^(?P<ts>\[\d+\])"#, "^(\\[[0-9]+])"),
        (#"a{2}b*?c+?"#, "a{2}b*c+"),
        (#"x{,3}"#, "x\\{,3}"),
        (#"[]a-]"#, "[]a-]"),
        (#"[\]\\^-]"#, "[]\\^-]"),
        (#"\Qa.b*\E"#, "a\\.b\\*"),
        (#"\x41\t"#, "A\t"),
        (#"a|"#, "a|()"),
    ])
    func translatesRE2ToERE(pattern: String, ere: String) throws {
        #expect(try LinePattern(pattern).extendedExpression == ere)
    }

    @Test(arguments: [
        (#"(?=x)"#, "lookahead"),
        (#"a(?!b)"#, "lookahead"),
        (#"(?<=a)b"#, "lookbehind"),
        (#"(a)\1"#, "backreferences"),
        (#"\p{L}"#, "Unicode classes"),
        (#"(?i:a)b"#, "scoped flags"),
        (#"a(?i:b)"#, "only at the very start"),
        (#"(?i)a(?s)b"#, "only at the very start"),
        (#"a|^(?i)b"#, "only at the very start"),
        (#"(^(?i)b)"#, "only at the very start"),
        (#"(?#comment)"#, "flags or group syntax"),
        (#"*a"#, "missing argument to repetition operator"),
        (#"a**"#, "repetition operator repeated"),
        (#"a{2}{3}"#, "repetition operator repeated"),
        (#"(ab"#, "missing ')'"),
        (#"ab)"#, "unmatched ')'"),
        (#"[ab"#, "missing ']'"),
        (#"[z-a]"#, "invalid range"),
        (#"[é]"#, "non-ASCII"),
        (#"a{1001}"#, "repetition count above 1000"),
        (#"(a{1000}){1000}"#, "too large"),
        (#"\q"#, "unknown escape"),
        (#"[[:nope:]]"#, "unknown class"),
        (#"\x00"#, "NUL"),
        ("a\\", "trailing backslash"),
        // Found by fuzz-patterns: an empty \Q\E gave the quantifier nothing, and the
        // parser indexed an empty list.
        (#"^\Q\E*E"#, "nothing to repeat"),
    ])
    func rejectsWhatEREcannotMatch(pattern: String, reason: String) {
        #expect(throws: PatternError.self) { try LinePattern(pattern) }
        do {
            _ = try LinePattern(pattern)
        } catch {
            #expect(error.message.contains(reason), "\(pattern): \(error.message)")
        }
    }

    @Test func matchesLikeGo() throws {
        let cases: [(String, String, Bool)] = [
            (#"^\d{4}-\d{2}-\d{2}"#, "2024-05-01 12:00:00 started", true),
            (#"^\d{4}-\d{2}-\d{2}"#, "\tat com.example.App.main(App.java:3)", false),
            (#"^\d{4}-\d{2}-\d{2}"#, "2024-5-01", false),
            (#"^\["#, "[INFO] x", true),
            (#"^\S"#, " indented", false),
            (#"^\S"#, "", false),
            (#"^(INFO|WARN|ERROR) "#, "WARN disk almost full", true),
            (#"^(INFO|WARN|ERROR) "#, "DEBUG x", false),
            (#"(?i)^error"#, "ErRoR: x", true),
            (#"^(?i)error"#, "ErRoR: x", true),
            (#"Exception"#, "java.lang.IllegalStateException: x", true),
            (#"^\d+$"#, "12345", true),
            (#"^\d+$"#, "12345x", false),
            (#"^a.c"#, "abc", true),
            (#"^[[:upper:]][[:lower:]]+ "#, "Hello world", true),
            (#"^x?y"#, "y", true),
            (#"^é"#, "été", true),
            (#"\bfoo\b"#, "a foo b", true),
            (#"\bfoo\b"#, "afoob", false),
        ]
        for (pattern, line, expected) in cases {
            #expect(matches(try LinePattern(pattern), line) == expected, "\(pattern) on \(line.debugDescription)")
        }
    }

    @Test func anchoredPrefixesRunOnTheAutomatonOthersOnRegexec() throws {
        #expect(try LinePattern(#"^\d{4}-\d{2}-\d{2}"#).isPrefixAutomaton)
        #expect(try LinePattern(#"^(\d{4})-"#).isPrefixAutomaton)
        #expect(try LinePattern(#"^\s*\S+$"#).isPrefixAutomaton)
        #expect(try !LinePattern(#"^(a|b)"#).isPrefixAutomaton)
        #expect(try !LinePattern(#"Exception"#).isPrefixAutomaton)
        #expect(try !LinePattern(#"^(ab)+"#).isPrefixAutomaton)
    }

    /// The automaton and glibc must agree on every line for every pattern of its shape.
    @Test func automatonAgreesWithRegexec() throws {
        let patterns = [#"^\d{4}-\d{2}-\d{2}"#, #"^a*b"#, #"^a+b?c{2,3}d{0,2}e"#, #"^[a-c]{1,}x$"#, #"^.{3}$"#,
                        #"^x*$"#, #"^\s*at "#, #"(?i)^[a-z]+ok"#, #"^"#, #"^$"#]
        let alphabet: [UInt8] = Array("abcdex0123-: \tOK".utf8)
        var lines: [[UInt8]] = [[]]
        var generator = SplitMix(seed: 7)
        for _ in 0..<3000 {
            let length = Int(generator.next() % 12)
            lines.append((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
        }
        lines += ["2024-05-01", "aaab", "abccde", "abcx", "   at x", "HeLLoOK"].map { Array($0.utf8) }
        for pattern in patterns {
            let syntax = try PatternParser.parse(pattern)
            let program = try #require(PrefixProgram(syntax), "\(pattern) is not prefix-shaped")
            let regex = try POSIXRegex(extended: try EREWriter.write(syntax), ignoreCase: syntax.ignoreCase)
            for line in lines {
                line.withUnsafeBytes { bytes in
                    #expect(program.matches(bytes) == regex.matches(bytes),
                            "\(pattern) on \(String(decoding: line, as: UTF8.self).debugDescription)")
                }
            }
        }
    }
}

/// A small deterministic generator for test inputs.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
