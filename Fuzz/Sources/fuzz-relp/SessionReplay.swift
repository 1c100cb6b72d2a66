import FuzzSupport
@testable import LogshipDelivery

/// A whole RELP session against the fuzzed answers: `open`, one batch, `close`. Whatever
/// the server sends, the session must not crash or hang, and what it reports must hold:
/// only messages answered 200, in order, count as delivered; nothing is written twice,
/// out of order or past the window; the counters agree with the outcome.
struct SessionReplay {
    let answers: [UInt8]

    func check() {
        let hash = answers.withUnsafeBytes { inputHash($0) }
        // One input in four gets a window whose waits are for many answers at once.
        let window = (hash >> 24) % 4 == 0 ? RELPSession.answerBatchMinimumWindow : Int(hash % 8) + 1
        let messages = Int((hash >> 8) % 12) + 1
        let cut = answers.isEmpty ? 0 : Int((hash >> 16) % UInt64(answers.count))
        let stream = ReplayedAnswers(answers, cutAt: [cut])
        let counters = AcknowledgementCounters()
        let session = RELPSession(stream: stream, window: window, answerTimeoutMilliseconds: 1, stallMilliseconds: 1, counters: counters)
        let batch = Self.batch(messages)

        // The replayed server never makes anyone wait: no deadline is needed.
        guard (try? session.open(until: .max)) != nil else {
            session.close(graceMilliseconds: 0)
            invariant(stream.closed && counters.acknowledged.load(ordering: .relaxed) == 0, "a session that never opened acknowledged something")
            return
        }
        var delivered = messages
        do {
            try session.send(batch)
        } catch {
            invariant(error.sentMessages < messages, "a failure after every message was acknowledged")
            invariant(error.unacknowledgedWrites >= 0 && error.sentMessages + error.unacknowledgedWrites <= messages,
                      "\(error.sentMessages) acknowledged and \(error.unacknowledgedWrites) written of \(messages)")
            delivered = error.sentMessages
        }
        invariant(counters.acknowledged.load(ordering: .relaxed) == delivered,
                  "counted \(counters.acknowledged.load(ordering: .relaxed)) acknowledged, reported \(delivered)")
        invariant(counters.inFlight.load(ordering: .relaxed) <= window, "more in flight than the window")
        session.close(graceMilliseconds: 0)
        invariant(stream.closed && counters.inFlight.load(ordering: .relaxed) == 0, "a closed session with messages in flight")
        checkCommands(stream.written, batch: batch, window: window, delivered: delivered)
    }

    /// The commands written: `open`, then the batch's messages as `syslog` commands, in
    /// order, numbered from 2, none twice; perhaps `close` last.
    private func checkCommands(_ written: [UInt8], batch: MessageBatch, window: Int, delivered: Int) {
        var parser = RELPFrameParser(maxDataBytes: 1 << 20)
        written.withUnsafeBytes { parser.append($0) }
        var frames: [RELPFrame] = []
        while case let .frame(frame) = parser.next() { frames.append(frame) }
        invariant(parser.bufferedBytes == 0, "the session wrote a frame its own parser does not read")
        invariant(frames.first?.txnr == 1 && frames.first?.command == "open", "the session did not start with open")
        let syslog = frames.dropFirst().filter { $0.command == "syslog" }
        invariant(syslog.count <= batch.count, "\(syslog.count) syslog commands for \(batch.count) messages")
        invariant(syslog.count >= delivered, "\(delivered) acknowledged, \(syslog.count) written")
        for (index, frame) in syslog.enumerated() {
            invariant(frame.txnr == index + 2, "syslog command \(index) numbered \(frame.txnr)")
            invariant(Array(frame.data) == Array(batch.bytes[batch.start(of: index)..<batch.ends[index]]), "message \(index) written wrong")
        }
        let others = frames.dropFirst().filter { $0.command != "syslog" }
        invariant(others.allSatisfy { $0.command == "close" } && others.count <= 1, "unexpected commands \(others.map(\.command))")
        if let close = others.first { invariant(frames.last == close, "a command after close") }
    }

    private static func batch(_ count: Int) -> MessageBatch {
        var batch = MessageBatch()
        for index in 0..<count {
            batch.bytes.append(contentsOf: "<30>1 - h app - - - message \(index)".utf8)
            batch.endMessage()
        }
        return batch
    }
}
