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
}
