import Testing
@testable import LogshipDelivery

@Suite struct RELPWindowTests {
    @Test func numbersAreHandedOutAndAnsweredInOrder() throws {
        var window = RELPWindow(capacity: 3)
        #expect(window.isEmpty && window.room == 3)
        #expect([window.take(), window.take(), window.take()] == [1, 2, 3])
        #expect(window.room == 0 && window.count == 3)
        try window.answer(1)
        #expect(window.room == 1 && window.oldestTxnr == 2)
        #expect(window.take() == 4)
        try window.answer(2)
        try window.answer(3)
        try window.answer(4)
        #expect(window.isEmpty && window.nextTxnr == 5 && window.oldestTxnr == 5)
    }

    /// The server answers in the order of the commands: anything else means a command
    /// answered twice, one never sent, or a server that lost track.
    @Test func answersOutOfOrderOrUnaskedForAreErrors() throws {
        var window = RELPWindow(capacity: 4)
        #expect(throws: RELPProtocolError("an answer for transaction 1, when none was waiting")) { try window.answer(1) }
        _ = window.take()
        _ = window.take()
        #expect(throws: RELPProtocolError("an answer for transaction 2 where 1 was due (answers must come in order)")) { try window.answer(2) }
        try window.answer(1)
        #expect(throws: RELPProtocolError.self) { try window.answer(1) }
        try window.answer(2)
    }

    /// Transaction numbers stop at 999,999,999 and start again at 1, never 0 (hints).
    @Test func numbersWrapAroundAfterNineDigits() throws {
        var window = RELPWindow(capacity: 2, startingAt: 999_999_999)
        #expect(window.take() == 999_999_999)
        #expect(window.take() == 1)
        try window.answer(999_999_999)
        try window.answer(1)
        #expect(window.take() == 2)
    }

    /// Answers taken in bulk move the window like as many single answers, across the wrap too.
    @Test func answersTakenInBulkMoveTheWindowLikeSingleOnes() throws {
        var window = RELPWindow(capacity: 8, startingAt: 999_999_997)
        for _ in 0..<6 { _ = window.take() }
        window.answerOldest(4)
        #expect(window.count == 2 && window.oldestTxnr == 2)
        try window.answer(2)
        window.answerOldest(1)
        #expect(window.isEmpty && window.oldestTxnr == 4 && window.nextTxnr == 4)
    }

    /// The bytes a sender may wait for: each answer at least `TXNR rsp 3 200` and LF, so
    /// never more than the shortest acknowledgements of those commands take.
    @Test func acknowledgementBytesAreALowerBound() {
        var window = RELPWindow(capacity: 200, startingAt: 95)
        for _ in 0..<10 { _ = window.take() }
        #expect(window.acknowledgementBytes(answers: 0) == 0)
        #expect(window.acknowledgementBytes(answers: 3) == 3 * Array("95 rsp 3 200\n".utf8).count)
        // Only 10 are in flight; 95…104 get longer, and the bound takes the shortest.
        #expect(window.acknowledgementBytes(answers: 50) == 10 * 13)
        var wrapping = RELPWindow(capacity: 8, startingAt: 999_999_998)
        for _ in 0..<4 { _ = wrapping.take() }
        #expect(wrapping.acknowledgementBytes(answers: 4) == 4 * Array("1 rsp 3 200\n".utf8).count)
    }
}

