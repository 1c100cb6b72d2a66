import Testing
@testable import LogshipWire

/// A long line whose pieces straddle FIFO reads survives a plugin crash: the reader
/// checkpoints the lines in progress before consuming their bytes, and the restarted
/// reassembler continues them, skipping the pieces it reads again.
@Suite struct ReassemblerCheckpointTests {
    private let id = String(repeating: "ab", count: 32)
    private func piece(_ text: String, _ ordinal: Int32, last: Bool = false, source: String = "stdout", id: String? = nil) -> Piece {
        Piece(source: source, time: 7, line: Array(text.utf8), meta: (last, id ?? self.id, ordinal))
    }

    @Test func aPieceReadAgainIsSkipped() {
        var r = Reassembler()
        let lines = push([piece("a", 1), piece("b", 2), piece("a", 1), piece("b", 2), piece("c", 3, last: true), piece("c", 3, last: true)], into: &r)
        #expect(lines.map(\.2) == [Array("abc".utf8)])
        #expect(r.repeatedPieces == 3)
        #expect(!r.hasPending)
    }

    @Test func restoredLinesContinueAndRepeatsAreSkipped() throws {
        var before = Reassembler()
        #expect(push([piece("head-", 1), piece("err-", 1, source: "stderr", id: "e")], into: &before).isEmpty)
        let saved = before.checkpoint(sinceChanges: 0)

        // The crash came before the bytes of both pieces were consumed: they are read
        // again after the restart, and then the rest of each line.
        var after = Reassembler()
        try after.restore(checkpoint: saved)
        let lines = push([piece("head-", 1), piece("err-", 1, source: "stderr", id: "e"), piece("tail", 2, last: true),
                          piece("end", 2, last: true, source: "stderr", id: "e")], into: &after)
        #expect(lines.map(\.2) == [Array("head-tail".utf8), Array("err-end".utf8)])
        #expect(lines.map(\.0) == [.stdout, .stderr])
        #expect(lines.map(\.1) == [7, 7])
    }

    @Test func aLineThatEndedSinceTheLastCheckpointIsNotStartedAgain() throws {
        var r = Reassembler()
        _ = push([piece("x", 1)], into: &r)
        let first = r.changes
        _ = push([piece("y", 2, last: true)], into: &r)
        // Written after "xy" was emitted, before the read holding "y" was consumed.
        let saved = r.checkpoint(sinceChanges: first)

        var after = Reassembler()
        try after.restore(checkpoint: saved)
        #expect(!after.hasPending)
        // The crash came before the consume: "y" is read again and must not come out
        // as a line of its own.
        #expect(push([piece("y", 2, last: true), Piece(line: Array("next".utf8))], into: &after).map(\.2) == [Array("next".utf8)])
    }

    @Test func aLineCutByTheMaximumResumesAfterItsEmittedPart() throws {
        var r = Reassembler(maxLineBytes: 4)
        #expect(push([piece("01234", 1)], into: &r).map(\.2) == [Array("0123".utf8)])
        var after = Reassembler(maxLineBytes: 4)
        try after.restore(checkpoint: r.checkpoint(sinceChanges: 0))
        #expect(push([piece("01234", 1), piece("56", 2, last: true)], into: &after).map(\.2) == [Array("456".utf8)])
    }

    @Test func damagedCheckpointsAreRefusedWithoutChangingAnything() {
        var r = Reassembler()
        _ = push([piece("x", 1)], into: &r)
        let good = r.checkpoint(sinceChanges: 0)
        var damaged = [good, Array(good.dropLast()), [], Array(good.prefix(10))]
        var flipped = good
        flipped[20] ^= 0x40
        damaged.append(flipped)
        for bytes in damaged.dropFirst() {
            var target = Reassembler()
            _ = push([piece("keep", 1, id: "k")], into: &target)
            #expect(throws: CheckpointError.self) { try target.restore(checkpoint: bytes) }
            #expect(target.hasPending)
        }
    }
}
