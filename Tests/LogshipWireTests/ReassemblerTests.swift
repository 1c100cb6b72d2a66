import Testing
@testable import LogshipWire

private func run(_ pieces: [Piece], maxLineBytes: Int = 1 << 20, flush: Bool = true) -> (lines: [(LogSource, Int64, [UInt8])], reassembler: Reassembler) {
    var reassembler = Reassembler(maxLineBytes: maxLineBytes)
    var out = push(pieces, into: &reassembler)
    if flush { reassembler.flush { out.append(($0.source, $0.timeNano, Array($0.bytes))) } }
    return (out, reassembler)
}

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

@Suite struct ReassemblerTests {
    @Test func wholeLinesPassThroughIncludingBlankOnes() {
        let (lines, _) = run([Piece(line: bytes("a")), Piece(line: []), Piece(line: bytes("b\r"))])
        #expect(lines.map(\.2) == [bytes("a"), [], bytes("b\r")])
    }

    @Test func sixteenKiBLineThenNewline() {
        let x = [UInt8](repeating: 0x78, count: 16384)
        let (lines, r) = run([Piece(time: 5, line: x, meta: (false, "id1", 1)), Piece(time: 5, line: [], meta: (true, "id1", 2))])
        #expect(lines.count == 1)
        #expect(lines[0].2 == x)
        #expect(lines[0].1 == 5)
        #expect(r.reassembledLines == 1)
        #expect(!r.hasPending)
    }

    @Test func fortyThousandCharacterLineIsOneLine() {
        let y = [UInt8](repeating: 0x79, count: 40000)
        let pieces = [
            Piece(line: Array(y[0..<16384]), meta: (false, "id", 1)),
            Piece(line: Array(y[16384..<32768]), meta: (false, "id", 2)),
            Piece(line: Array(y[32768...]), meta: (true, "id", 3)),
            Piece(line: bytes("z")),
        ]
        let (lines, _) = run(pieces)
        #expect(lines.map(\.2) == [y, bytes("z")])
    }

    @Test func interleavedStdoutAndStderrStayApart() {
        let pieces = [
            Piece(source: "stdout", line: bytes("out1-"), meta: (false, "A", 1)),
            Piece(source: "stderr", line: bytes("err1-"), meta: (false, "B", 1)),
            Piece(source: "stdout", line: bytes("whole")),
            Piece(source: "stderr", line: bytes("err2"), meta: (true, "B", 2)),
            Piece(source: "stdout", line: bytes("out2"), meta: (true, "A", 2)),
        ]
        let (lines, _) = run(pieces)
        #expect(lines.map(\.2) == [bytes("whole"), bytes("err1-err2"), bytes("out1-out2")])
        #expect(lines.map(\.0) == [.stdout, .stderr, .stdout])
    }

    @Test func unterminatedLineIsFlushedAtEOF() {
        let (none, pending) = run([Piece(line: bytes("abc"), meta: (false, "id", 1))], flush: false)
        #expect(none.isEmpty)
        #expect(pending.hasPending)
        let (lines, _) = run([Piece(line: bytes("abc"), meta: (false, "id", 1))])
        #expect(lines.map(\.2) == [bytes("abc")])
    }

    @Test func lineBeyondTheMaximumIsEmittedInPieces() {
        let pieces = [
            Piece(line: bytes("0123456"), meta: (false, "id", 1)),
            Piece(line: bytes("789ab"), meta: (true, "id", 2)),
        ]
        let (lines, _) = run(pieces, maxLineBytes: 4)
        #expect(lines.map(\.2) == [bytes("0123"), bytes("4567"), bytes("89ab")])
    }

    @Test func legacyPartialWithoutMetadataEndsAtNextWholeEntry() {
        var reassembler = Reassembler()
        var out: [[UInt8]] = []
        for (text, partial) in [("ab", true), ("cd", true), ("ef", false), ("gh", false)] {
            Array(text.utf8).withUnsafeBytes { line in
                Array("stdout".utf8).withUnsafeBytes { source in
                    var e = LogEntry()
                    e.sourceBytes = source
                    e.line = line
                    e.partial = partial
                    reassembler.push(e) { out.append(Array($0.bytes)) }
                }
            }
        }
        #expect(out == [bytes("abcdef"), bytes("gh")])
    }

    @Test func tooManyLinesInFlightFlushesTheOldest() {
        let pieces = (0..<65).map { Piece(line: bytes("p\($0)"), meta: (false, "id\($0)", 1)) }
        let (lines, _) = run(pieces, flush: false)
        #expect(lines.map(\.2) == [bytes("p0")])
    }
}
