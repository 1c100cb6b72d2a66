/// The transaction numbers of a session's commands that wait for their answers.
///
/// Numbers are handed out in order and the server answers in the order of the
/// commands, so the commands in flight are always a run of consecutive numbers: the
/// window is the oldest one and how many. An answer for anything but the oldest is a
/// protocol error (answered twice, never sent, or out of order).
struct RELPWindow: Equatable {
    /// At most this many `syslog` commands in flight (`syslog-relp-window`).
    let capacity: Int
    /// The number the next command gets. A session starts at 1 (with `open`).
    private(set) var nextTxnr = 1
    /// The oldest number waiting for its answer (equal to `nextTxnr` when none is).
    private(set) var oldestTxnr = 1
    private(set) var count = 0

    /// A session's window: its first command (`open`) is number 1. Another start is for
    /// checking the wrap after 999,999,999 without a billion commands.
    init(capacity: Int, startingAt first: Int = 1) {
        precondition(capacity > 0 && (1...RELPFrame.maximumTxnr).contains(first))
        self.capacity = capacity
        nextTxnr = first
        oldestTxnr = first
    }

    var isEmpty: Bool { count == 0 }
    var room: Int { max(0, capacity - count) }

    /// The number for a new command, now in flight.
    mutating func take() -> Int {
        let txnr = nextTxnr
        nextTxnr = RELPFrame.txnr(after: txnr)
        count += 1
        return txnr
    }

    /// Matches an answer to the oldest command in flight, which it must be.
    mutating func answer(_ txnr: Int) throws(RELPProtocolError) {
        guard count > 0 else { throw RELPProtocolError("an answer for transaction \(txnr), when none was waiting") }
        guard txnr == oldestTxnr else {
            throw RELPProtocolError("an answer for transaction \(txnr) where \(oldestTxnr) was due (answers must come in order)")
        }
        oldestTxnr = RELPFrame.txnr(after: oldestTxnr)
        count -= 1
    }

    /// Matches `count` answers, already checked to be for the oldest commands in flight
    /// in order (`RELPFrameParser.takeAcknowledgements`), to those commands.
    mutating func answerOldest(_ count: Int) {
        precondition(count >= 0 && count <= self.count)
        oldestTxnr = (oldestTxnr - 1 + count) % RELPFrame.maximumTxnr + 1
        self.count -= count
    }

    /// The fewest bytes in which the server can acknowledge the oldest `answers` commands
    /// in flight (at most all of them): `TXNR rsp 3 200` and LF each. What a sender
    /// waiting for those acknowledgements has no reason to wake up for less of.
    func acknowledgementBytes(answers: Int) -> Int {
        let answers = min(answers, count)
        guard answers > 0 else { return 0 }
        // Numbers only get longer, except across the wrap to 1.
        let digits = oldestTxnr > RELPFrame.maximumTxnr - answers ? 1 : RELPWindow.digits(oldestTxnr)
        return answers * (digits + RELPWindow.acknowledgementBytesBesidesTxnr)
    }

    /// " rsp 3 200" and LF.
    static let acknowledgementBytesBesidesTxnr = 11

    private static func digits(_ value: Int) -> Int {
        var digits = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        return digits
    }
}
