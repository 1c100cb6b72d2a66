import LogshipSystem

/// Why a RELP session could not be opened, in words for the plugin log.
struct RELPSessionError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}

/// A RELP client session over a connected stream: `open`, then `syslog` commands
/// pipelined within a window of unanswered ones, then `close`.
///
/// `send` returns once every message of the batch is acknowledged (`rsp 200`), so what
/// the sender acknowledges to its queue is exactly what the receiver acknowledged: a
/// message leaves the spool only after its 200. Within a batch up to `window` commands
/// wait for answers at once, and the answers are read while more commands are
/// written, so the receiver never waits for the sender; only the next batch starts
/// with an empty window (the queue hands out up to 256 KiB at a time, thousands of
/// short messages, so that pause is rare).
final class RELPSession {
    /// What the session offers in `open`. librelp, and so rsyslog's imrelp and omrelp,
    /// speaks relp_version 0 (the specification's version 1 was never released);
    /// `syslog` is the one command logship uses.
    static let offers = Array("relp_version=0\nrelp_software=logship\ncommands=syslog".utf8)

    /// Commands written in one go are cut at about this size (one large message may go
    /// past it), so that answers are read between writes and a window of long lines
    /// (up to `max-line-size` each) is never copied into one buffer.
    static let writeChunkBytes = 256 * 1024

    private let stream: RELPByteStream
    private var window: RELPWindow
    private var parser = RELPFrameParser()
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    /// `open` and `close` are framed here.
    private var commands: [UInt8] = []
    /// `syslog` commands are framed here, a write's worth at a time, by hand: appending
    /// them to an array took 850 instructions per message (callgrind), this about 260.
    private var syslogCommands = UnsafeMutableRawBufferPointer.allocate(byteCount: RELPSession.writeChunkBytes + 64 * 1024,
                                                                        alignment: 1)
    private let answerTimeoutNanoseconds: Int64
    private let stallMilliseconds: Int
    private let counters: AcknowledgementCounters
    /// New commands are written once this much of the window is free (or all that is left
    /// of the batch fits): half the window. Refilling at every answer wrote about 20
    /// commands per write into rsyslog; this writes about 120, for the same throughput
    /// (measured), and half the window still in flight keeps the receiver busy meanwhile.
    private let refillThreshold: Int
    /// The longest a wait for several answers lasts before the session reads what came:
    /// see `waitForAnswers`.
    static let answerBatchNanoseconds: Int64 = 1_000_000
    /// The smallest window whose answers are waited for in bulk: see `waitForAnswers`.
    static let answerBatchMinimumWindow = 128
    /// Why the session is over (a failed write or read, a protocol error, `serverclose`,
    /// a missing answer); nil while it can be used. A session over is closed without
    /// the `close` command.
    private(set) var brokenBecause: String?
    /// The stream ended (EOF or an error) after the bytes now in the parser: those are
    /// handled before the end is.
    private var streamEnded: String?

    /// - Parameters:
    ///   - answerTimeoutMilliseconds: how long commands in flight may go without any
    ///     answer before the session is given up (and its messages sent again on a new one).
    ///   - stallMilliseconds: how long a write may find the receiver accepting nothing.
    init(stream: RELPByteStream, window: Int, answerTimeoutMilliseconds: Int, stallMilliseconds: Int, counters: AcknowledgementCounters) {
        self.stream = stream
        self.window = RELPWindow(capacity: window)
        refillThreshold = max(1, window / 2)
        answerTimeoutNanoseconds = Int64(answerTimeoutMilliseconds) * 1_000_000
        self.stallMilliseconds = stallMilliseconds
        self.counters = counters
    }

    deinit {
        syslogCommands.deallocate()
    }

    /// Why `send` stopped: the session is over, or the receiver refused a message.
    private enum Stop: Error {
        case broken(String)
        case refused(RELPResponse)
    }

    // MARK: - Opening

    /// Sends `open` with the offers and waits for the answer until `deadline`: the
    /// session exists only once the server accepted it and offered the `syslog` command.
    func open(until deadline: Int64) throws(RELPSessionError) {
        let txnr = window.take()
        commands.removeAll(keepingCapacity: true)
        RELPFrame.append(txnr: txnr, command: "open", data: RELPSession.offers, to: &commands)
        if let failure = commands.withUnsafeBytes({ stream.write($0, stallMilliseconds: stallMilliseconds) }) {
            throw RELPSessionError("RELP open failed: \(failure)")
        }
        var response: RELPResponse?
        do throws(Stop) {
            while response == nil {
                _ = fill()
                response = try takeOpenAnswer()
                if response != nil { break }
                if let ended = streamEnded { throw .broken(ended) }
                guard waitForBytes(until: deadline) else { throw .broken("the server did not answer RELP open in time") }
            }
        } catch {
            if case let .broken(why) = error { throw RELPSessionError("RELP open failed: \(why)") }
        }
        guard let response, response.isSuccess else {
            throw RELPSessionError("the server refused the RELP session: \(response?.summary ?? "no answer")")
        }
        if let problem = RELPOffers(parsing: response.data).problemForSyslog {
            throw RELPSessionError("cannot use the RELP session: \(problem)")
        }
    }

    private func takeOpenAnswer() throws(Stop) -> RELPResponse? {
        while true {
            switch parser.next() {
            case .needMoreData:
                return nil
            case let .invalid(error):
                throw .broken("protocol error: the server sent \(error)")
            case let .frame(frame):
                if frame.txnr == 0 {
                    if frame.command == "serverclose" { throw .broken("the server closed the session (serverclose)") }
                    continue  // another hint: nothing to do
                }
                guard frame.command == "rsp" else { throw .broken("protocol error: the server sent a \(frame.command) command") }
                do throws(RELPProtocolError) {
                    try window.answer(frame.txnr)
                    return try RELPResponse(parsing: frame.data)
                } catch {
                    throw .broken("protocol error: the server sent \(error)")
                }
            }
        }
    }

    // MARK: - Sending

    /// Sends every message of `batch` as a `syslog` command and returns once all are
    /// acknowledged. On failure, `sentMessages` is the acknowledged prefix; the rest
    /// stays the caller's to send again (on a new session: a session that failed is
    /// not used again).
    func send(_ batch: MessageBatch) throws(SendFailure) {
        precondition(brokenBecause == nil && window.isEmpty, "a RELP session is used again after it failed")
        var written = 0
        var acknowledged = 0
        var lastAnswer = MonotonicClock.now()
        do throws(Stop) {
            while acknowledged < batch.count {
                if written < batch.count && window.room >= min(refillThreshold, batch.count - written) {
                    try writeCommands(batch, written: &written)
                }
                _ = fill()
                let before = acknowledged
                try takeAnswers(acknowledged: &acknowledged, upTo: batch.count)
                if acknowledged > before { lastAnswer = MonotonicClock.now() }
                if acknowledged == batch.count { break }
                if let ended = streamEnded { throw .broken(ended) }
                let writable = min(refillThreshold, batch.count - written)
                let canWriteMore = written < batch.count && window.room >= writable
                if !canWriteMore && acknowledged == before {
                    try waitForAnswers(needed: written < batch.count ? writable - window.room : window.count, lastAnswer: lastAnswer)
                }
            }
        } catch {
            switch error {
            case let .broken(why):
                brokenBecause = why
                throw SendFailure(sentMessages: acknowledged, reason: why, unacknowledgedWrites: written - acknowledged)
            case let .refused(response):
                throw SendFailure(sentMessages: acknowledged, reason: "the receiver refused a message: \(response.summary)",
                                  isRefusal: true, unacknowledgedWrites: written - acknowledged)
            }
        }
    }

    /// Waits until the answers to the oldest `needed` commands in flight can have come:
    /// those the next refill (or the end of the batch) waits for.
    ///
    /// A wait that woke for any byte cost the sender more than framing and writing the
    /// messages: librelp sends each answer on its own (cork, send, uncork), and the
    /// session was woken once per three answers or so (58,000 wake-ups for 200,000
    /// messages into rsyslog, 5 to 7 µs of the plugin's CPU per line against TCP's
    /// 0.3). So the wait is for the bytes those answers take at least
    /// (`RELPWindow.acknowledgementBytes`), but, when that is more than one answer, for
    /// at most `answerBatchNanoseconds` at a time: librelp's answers go out under
    /// Nagle's algorithm, so while one small segment of them lies unread (and so
    /// unacknowledged) the receiver holds the rest; reading every millisecond lets the
    /// next millisecond of answers come in one segment. A receiver that answers nothing
    /// costs a wake-up per millisecond until the answer timeout.
    ///
    /// That millisecond paces the answers: a window of W messages then carries at most W
    /// a millisecond. From 128 (the default) that is more than imrelp answers (about
    /// 130,000 a second here, `BENCHMARKS.md`); a smaller window (16 went from 48,000
    /// lines/s to 14,000) waits for the first byte of its answers as before, at the old
    /// cost in wake-ups.
    private func waitForAnswers(needed: Int, lastAnswer: Int64) throws(Stop) {
        let deadline = lastAnswer + answerTimeoutNanoseconds
        let answers = window.capacity >= RELPSession.answerBatchMinimumWindow ? max(1, needed) : 1
        // Part of the first answer may be in the parser already.
        let bytes = answers == 1 ? 1 : max(1, window.acknowledgementBytes(answers: answers) - parser.bufferedBytes)
        let until = answers == 1 ? deadline : min(deadline, MonotonicClock.now() + RELPSession.answerBatchNanoseconds)
        if !stream.waitForBytes(until: until, atLeast: bytes) && until == deadline {
            throw .broken("no answer from the receiver for \(RELPSession.duration(answerTimeoutNanoseconds)) with \(window.count) messages waiting")
        }
    }

    /// Writes commands for the next messages of `batch`, as many as the window has room
    /// for (up to `writeChunkBytes`), and moves `written` past them.
    private func writeCommands(_ batch: MessageBatch, written: inout Int) throws(Stop) {
        let last = min(batch.count, written + window.room)
        var next = written
        var size = 0
        batch.bytes.withUnsafeBytes { raw in
            while next < last && (next == written || size < RELPSession.writeChunkBytes) {
                let message = UnsafeRawBufferPointer(rebasing: raw[batch.start(of: next)..<batch.ends[next]])
                let frameBytes = message.count + RELPSession.syslogFrameOverhead
                if size + frameBytes > syslogCommands.count {
                    // One message longer than the buffer's spare room: a larger buffer.
                    let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size + frameBytes, 2 * syslogCommands.count), alignment: 1)
                    larger.copyMemory(from: UnsafeRawBufferPointer(rebasing: syslogCommands[..<size]))
                    syslogCommands.deallocate()
                    syslogCommands = larger
                }
                size += RELPFrame.writeSyslog(txnr: window.take(), data: message, into: syslogCommands.baseAddress! + size)
                next += 1
            }
        }
        // Counted as written before the write: if it fails, these may have reached the
        // receiver, and sending them again may duplicate them.
        written = next
        counters.windowChanged(inFlight: window.count, answered: false, now: MonotonicClock.now())
        if let failure = stream.write(UnsafeRawBufferPointer(rebasing: syslogCommands[..<size]), stallMilliseconds: stallMilliseconds) {
            throw .broken(failure)
        }
    }

    /// The most a `syslog` frame adds to its message: a 9-digit number, " syslog ", a
    /// 9-digit length, a space and LF.
    static let syslogFrameOverhead = 9 + 8 + 9 + 2

    /// Handles the complete frames received, counting the acknowledgements in order, up
    /// to the last answer the batch needs: what follows it (a `serverclose` right after
    /// the last answer) is left for `peerHasClosed`, and the batch counts as delivered.
    private func takeAnswers(acknowledged: inout Int, upTo needed: Int) throws(Stop) {
        var answered = 0
        var accepted = 0
        defer {
            if answered > 0 {
                counters.acknowledged.add(accepted, ordering: .relaxed)
                counters.windowChanged(inFlight: window.count, answered: true, now: MonotonicClock.now())
            }
            acknowledged += accepted
        }
        while acknowledged + accepted < needed {
            // The 200s in bulk; anything else (a refusal, a hint, an error) frame by frame.
            let bulk = parser.takeAcknowledgements(startingAt: window.oldestTxnr, limit: min(window.count, needed - acknowledged - accepted))
            if bulk > 0 {
                window.answerOldest(bulk)
                answered += bulk
                accepted += bulk
                continue
            }
            switch parser.next() {
            case .needMoreData:
                return
            case let .invalid(error):
                throw .broken("protocol error: the server sent \(error)")
            case let .frame(frame):
                if frame.txnr == 0 {
                    // A hint: serverclose means the server is going away (rsyslog sends it
                    // when it stops, or when it finds a command it cannot accept).
                    if frame.command == "serverclose" { throw .broken("the server closed the session (serverclose)") }
                    continue
                }
                guard frame.command == "rsp" else { throw .broken("protocol error: the server sent a \(frame.command) command") }
                let response: RELPResponse
                do throws(RELPProtocolError) {
                    try window.answer(frame.txnr)
                    response = try RELPResponse(parsing: frame.data)
                } catch {
                    throw .broken("protocol error: the server sent \(error)")
                }
                answered += 1
                guard response.isSuccess else {
                    counters.refused.add(1, ordering: .relaxed)
                    throw .refused(response)
                }
                accepted += 1
            }
        }
    }

    /// "30 s", or "300 ms" for a timeout under a second.
    private static func duration(_ nanoseconds: Int64) -> String {
        nanoseconds % 1_000_000_000 == 0 ? "\(nanoseconds / 1_000_000_000) s" : "\(nanoseconds / 1_000_000) ms"
    }

    // MARK: - Reading

    /// Moves everything that has arrived into the parser; true when anything did.
    private func fill() -> Bool {
        guard streamEnded == nil else { return false }
        var received = false
        while true {
            let outcome = readBuffer.withUnsafeMutableBytes { stream.readAvailable(into: $0) }
            switch outcome {
            case let .bytes(count):
                readBuffer.withUnsafeBytes { parser.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
                received = true
                // A short read took everything there was: asking again would only cost a call.
                if count < readBuffer.count { return true }
            case .nothingYet:
                return received
            case let .ended(why):
                streamEnded = why
                return received
            }
        }
    }

    private func waitForBytes(until deadline: Int64) -> Bool { stream.waitForBytes(until: deadline, atLeast: 1) }

    /// True when the server has ended the session (`serverclose`, EOF, an error) or sent
    /// something it had no reason to: checked between batches, when nothing is in
    /// flight, so that no batch is written into a session that is going away.
    func peerHasClosed() -> Bool {
        guard brokenBecause == nil else { return true }
        _ = fill()
        while true {
            switch parser.next() {
            case .needMoreData:
                if let ended = streamEnded { brokenBecause = ended; return true }
                return false
            case let .frame(frame) where frame.txnr == 0 && frame.command != "serverclose":
                continue
            case let .frame(frame):
                brokenBecause = frame.command == "serverclose" ? "the server closed the session (serverclose)"
                    : "protocol error: the server sent \(frame.command) \(frame.txnr) with nothing waiting"
                return true
            case let .invalid(error):
                brokenBecause = "protocol error: the server sent \(error)"
                return true
            }
        }
    }

    // MARK: - Closing

    /// Ends the session: `close`, then whatever the server still sends (answers to
    /// commands in flight, the answer to `close`, `serverclose`) until it closes the
    /// connection or `graceMilliseconds` pass, so that neither side is left with unread
    /// data and a reset. A session that is over is just closed.
    func close(graceMilliseconds: Int) {
        defer {
            stream.close()
            counters.windowChanged(inFlight: 0, answered: true, now: MonotonicClock.now())
        }
        guard brokenBecause == nil, streamEnded == nil else { return }
        commands.removeAll(keepingCapacity: true)
        RELPFrame.append(txnr: window.take(), command: "close", data: [], to: &commands)
        guard commands.withUnsafeBytes({ stream.write($0, stallMilliseconds: graceMilliseconds) }) == nil else { return }
        let deadline = MonotonicClock.now() + Int64(graceMilliseconds) * 1_000_000
        while streamEnded == nil {
            _ = fill()
            // The answers are read only so that nothing is left unread; a protocol error
            // ends the wait like the server's close does.
            while case .frame = parser.next() {}
            if streamEnded != nil || !waitForBytes(until: deadline) { return }
        }
    }
}
