import LogshipWire
import Testing
@testable import LogshipEvents

@Suite struct MultilineJoinerTests {
    let datePattern = LineClassifier.pattern(try! LinePattern(#"^\d{4}-\d{2}-\d{2}"#))

    @Test func aMatchingLineStartsAMessageAndTheOthersJoinIt() {
        let out = join(datePattern, stdout(["2024-05-01 a", "  b", "  c", "2024-05-01 d", "2024-05-01 e", "  f"]))
        #expect(out == [Collected(text: "2024-05-01 a\n  b\n  c", timeNano: 1, lines: 3),
                        Collected(text: "2024-05-01 d", timeNano: 4, lines: 1),
                        Collected(text: "2024-05-01 e\n  f", timeNano: 5, lines: 2)])
    }

    @Test func linesBeforeTheFirstMatchAreAMessageToo() {
        #expect(texts(join(datePattern, stdout(["x", "y", "2024-05-01 z"]))) == ["x\ny", "2024-05-01 z"])
    }

    @Test func stdoutAndStderrAreJoinedApartAndKeepTheirFirstLinesTimeAndSource() {
        let out = join(datePattern, [("2024-05-01 out", .stdout, 1), ("2024-05-01 err", .stderr, 2), ("  err 2", .stderr, 3),
                                     ("  out 2", .stdout, 4), ("2024-05-01 next", .stdout, 5)])
        // The stderr message is still in progress when the stream ends.
        #expect(out == [Collected(text: "2024-05-01 out\n  out 2", source: .stdout, timeNano: 1, lines: 2),
                        Collected(text: "2024-05-01 next", source: .stdout, timeNano: 5, lines: 1),
                        Collected(text: "2024-05-01 err\n  err 2", source: .stderr, timeNano: 2, lines: 2)])
    }

    @Test func maxLinesSendsTheMessageAtOnce() {
        let out = join(datePattern, stdout(["2024-05-01 a", "b", "c", "d", "e"]), maxLines: 2, flush: false)
        #expect(texts(out) == ["2024-05-01 a\nb", "c\nd"])
    }

    @Test func theByteCapEndsAMessageBeforeTheLineThatWouldPassIt() {
        // "2024-05-01 a" (12) + LF + "bbbb" (4) = 17 fits 17; the next LF + "cc" would not.
        let out = join(datePattern, stdout(["2024-05-01 a", "bbbb", "cc"]), maxBytes: 17)
        #expect(texts(out) == ["2024-05-01 a\nbbbb", "cc"])
    }

    @Test func aMessageIsDueOneTimeoutAfterItsLastLineAndNoTimerRunsWithoutOne() {
        var joiner = MultilineJoiner(classifier: datePattern, maxLines: 100, maxBytes: 1000, timeoutNanoseconds: 500)
        var out: [String] = []
        let collect = { (m: JoinedMessage) in out.append(String(decoding: m.bytes, as: UTF8.self)) }
        #expect(joiner.nextDeadline == nil)
        Array("2024-05-01 a".utf8).withUnsafeBytes { joiner.push($0, source: .stdout, timeNano: 1, severity: nil, now: 1000, emit: collect) }
        #expect(joiner.nextDeadline == 1500)
        Array(" b".utf8).withUnsafeBytes { joiner.push($0, source: .stdout, timeNano: 2, severity: nil, now: 1200, emit: collect) }
        #expect(joiner.nextDeadline == 1700)
        joiner.emitExpired(now: 1699, emit: collect)
        #expect(out.isEmpty)
        joiner.emitExpired(now: 1700, emit: collect)
        #expect(out == ["2024-05-01 a\n b"])
        #expect(joiner.nextDeadline == nil && !joiner.isHolding)
    }

    @Test func aCheckpointRestoresTheMessagesInProgress() throws {
        var joiner = MultilineJoiner(classifier: presets(.python), maxLines: 100, maxBytes: 1000, timeoutNanoseconds: 500)
        var out: [Collected] = []
        let collect = { (m: JoinedMessage) in out.append(Collected(text: String(decoding: m.bytes, as: UTF8.self), source: m.source, timeNano: m.timeNano, lines: m.lines)) }
        for (i, text) in ["Traceback (most recent call last):", "  File \"a.py\", line 1", "ValueError: x", ""].enumerated() {
            Array(text.utf8).withUnsafeBytes { joiner.push($0, source: .stderr, timeNano: Int64(10 + i), severity: .warning, now: 0, emit: collect) }
        }
        let saved = joiner.checkpoint()
        var restored = MultilineJoiner(classifier: presets(.python), maxLines: 100, maxBytes: 1000, timeoutNanoseconds: 500)
        try restored.restore(checkpoint: saved, now: 7000)
        #expect(restored.nextDeadline == 7500)
        restored.flush(emit: collect)
        #expect(out == [Collected(text: "Traceback (most recent call last):\n  File \"a.py\", line 1\nValueError: x", source: .stderr, timeNano: 10, lines: 3),
                        Collected(text: "", source: .stderr, timeNano: 13, lines: 1)])
        var damaged = saved
        damaged[damaged.count / 2] ^= 0xFF
        #expect(throws: PatternError.self) { try restored.restore(checkpoint: damaged, now: 0) }
    }

    /// A held line is borrowed from the read buffer, and copied only when a line joins
    /// it or the read ends: after that the buffer can be reused.
    @Test func aBorrowedLineIsCopiedBeforeItsReadBufferIsReused() {
        var joiner = MultilineJoiner(classifier: datePattern, maxLines: 100, maxBytes: 1000, timeoutNanoseconds: 500)
        var out: [String] = []
        let collect = { (m: JoinedMessage) in out.append(String(decoding: m.bytes, as: UTF8.self)) }
        var buffer = Array("2024-05-01 a2024-05-01 b".utf8)
        buffer.withUnsafeBytes { read in
            joiner.push(UnsafeRawBufferPointer(rebasing: read[0..<12]), source: .stdout, timeNano: 1, severity: nil, now: 0,
                        lineOutlivesCall: true, emit: collect)
            joiner.push(UnsafeRawBufferPointer(rebasing: read[12...]), source: .stdout, timeNano: 2, severity: nil, now: 0,
                        lineOutlivesCall: true, emit: collect)
            joiner.endOfRead()
        }
        for i in buffer.indices { buffer[i] = UInt8(ascii: "#") }
        Array(" c".utf8).withUnsafeBytes { joiner.push($0, source: .stdout, timeNano: 3, severity: nil, now: 0, emit: collect) }
        joiner.flush(emit: collect)
        #expect(out == ["2024-05-01 a", "2024-05-01 b\n c"])
    }
}
