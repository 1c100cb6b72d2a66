import LogshipWire

/// Joins a stream's lines into messages by a multi-line rule, stdout and stderr apart
/// (Docker interleaves their lines; a trace on stderr never takes a stdout line in).
///
/// A message is sent when a line that does not join it arrives, when it reaches
/// `maxLines` lines, when the next line would take it past `maxBytes` (that line then
/// starts the next message), when `timeout` passes without a line joining it
/// (`emitExpired`), and at the end of the stream (`flush`). A line that starts a
/// message nothing can follow (an ordinary line under the python and go presets) goes
/// out at once, without being copied.
///
/// Clock-free: the caller passes monotonic `now` and asks for `nextDeadline`, so an idle
/// stream has no timer, and a stream with a message in progress exactly one.
public struct MultilineJoiner {
    let classifier: LineClassifier
    public let maxLines: Int
    public let maxBytes: Int
    public let timeoutNanoseconds: Int64
    /// stdout, stderr, other.
    var slots = [HeldMessage(), HeldMessage(), HeldMessage()]
    /// Bumped whenever what is held changes: a checkpoint is due when it moved.
    public internal(set) var changes = 0

    public init(classifier: LineClassifier, maxLines: Int, maxBytes: Int, timeoutNanoseconds: Int64) {
        precondition(maxLines >= 2 && maxBytes > 0 && timeoutNanoseconds > 0)
        self.classifier = classifier
        self.maxLines = maxLines
        self.maxBytes = maxBytes
        self.timeoutNanoseconds = timeoutNanoseconds
    }

    public var isHolding: Bool { slots[0].lines + slots[1].lines + slots[2].lines > 0 }

    /// When the earliest message in progress is due; nil when none is held.
    public var nextDeadline: Int64? {
        let earliest = min(slots[0].deadline, slots[1].deadline, slots[2].deadline)
        return earliest == .max ? nil : earliest
    }

    @inline(__always)
    static func slot(_ source: LogSource) -> Int {
        switch source {
        case .stdout: return 0
        case .stderr: return 1
        case .other, .logship: return 2  // logship's own messages never reach a joiner
        }
    }

    /// Takes one line; hands out every message it ends. With `lineOutlivesCall`, the
    /// line's bytes stay valid until `endOfRead` (they are in the read buffer), and a line
    /// held on its own is not copied before then.
    public mutating func push(_ line: UnsafeRawBufferPointer, source: LogSource, timeNano: Int64, severity: Severity?,
                              now: Int64, lineOutlivesCall: Bool = false, emit: (JoinedMessage) -> Void) {
        let s = Self.slot(source)
        // Fields read one by one: a copy of the slot would share its buffer, and the
        // append below would then copy the whole message.
        let heldLines = slots[s].lines
        let classification = classifier.classify(line, context: slots[s].context, linesInMessage: heldLines)
        if heldLines > 0 {
            let fits = heldLines < maxLines && slots[s].count + 1 + line.count <= maxBytes
            if classification.role != .start && fits {
                join(line, into: s, classification, timeNano: timeNano, now: now, emit: emit)
                return
            }
            emitHeld(s, source: source, emit: emit)
        }
        guard classification.holds else {
            emit(JoinedMessage(source: source, timeNano: timeNano, bytes: line, severity: severity, lines: 1))
            return
        }
        changes += 1
        if lineOutlivesCall {
            slots[s].borrowed = line
        } else {
            slots[s].bytes.append(contentsOf: line)
        }
        slots[s].lines = 1
        slots[s].timeNano = timeNano
        slots[s].severity = severity
        slots[s].context = classification.context
        slots[s].deadline = now + timeoutNanoseconds
    }

    private mutating func join(_ line: UnsafeRawBufferPointer, into s: Int, _ classification: LineClassification,
                               timeNano: Int64, now: Int64, emit: (JoinedMessage) -> Void) {
        changes += 1
        slots[s].ownBytes()
        if classification.role == .tentative {
            if slots[s].tentativeOffset == nil {
                slots[s].tentativeOffset = slots[s].bytes.count
                slots[s].tentativeTimeNano = timeNano
            }
            slots[s].tentativeLines += 1
        } else {
            slots[s].tentativeOffset = nil
            slots[s].tentativeLines = 0
        }
        slots[s].bytes.append(UInt8(ascii: "\n"))
        slots[s].bytes.append(contentsOf: line)
        slots[s].lines += 1
        slots[s].context = classification.context
        if !classification.holds || slots[s].lines >= maxLines {
            emitHeld(s, source: Self.source(of: s), emit: emit)
        } else {
            slots[s].deadline = now + timeoutNanoseconds
        }
    }

    /// The read buffer the lines came from is about to be reused: held lines that are
    /// still borrowed from it are copied.
    public mutating func endOfRead() {
        for s in slots.indices where slots[s].borrowed != nil { slots[s].ownBytes() }
    }

    /// Sends every message whose timeout has passed.
    public mutating func emitExpired(now: Int64, emit: (JoinedMessage) -> Void) {
        for s in slots.indices where !slots[s].isEmpty && slots[s].deadline <= now {
            emitHeld(s, source: Self.source(of: s), emit: emit)
        }
    }

    /// Sends everything held: the stream ended.
    public mutating func flush(emit: (JoinedMessage) -> Void) {
        for s in slots.indices where !slots[s].isEmpty {
            emitHeld(s, source: Self.source(of: s), emit: emit)
        }
    }

    private static func source(of slot: Int) -> LogSource {
        [LogSource.stdout, .stderr, .other][slot]
    }

    /// Sends the held message; trailing tentative lines that nothing confirmed go out
    /// after it, each on its own.
    private mutating func emitHeld(_ s: Int, source: LogSource, emit: (JoinedMessage) -> Void) {
        changes += 1
        let tentativeOffset = slots[s].tentativeOffset
        let tentativeLines = slots[s].tentativeLines
        let tentativeTimeNano = slots[s].tentativeTimeNano
        let main = JoinedMessage(source: source, timeNano: slots[s].timeNano, bytes: UnsafeRawBufferPointer(start: nil, count: 0),
                                 severity: slots[s].severity, lines: slots[s].lines - tentativeLines)
        if let line = slots[s].borrowed {
            var message = main
            message.bytes = line
            emit(message)
            slots[s].reset()
            return
        }
        slots[s].bytes.withUnsafeBytes { raw in
            var message = main
            let mainEnd = tentativeOffset ?? raw.count
            message.bytes = UnsafeRawBufferPointer(rebasing: raw[..<mainEnd])
            emit(message)
            guard tentativeOffset != nil else { return }
            var start = mainEnd + 1
            for _ in 0..<tentativeLines {
                var end = start
                while end < raw.count, raw[end] != UInt8(ascii: "\n") { end += 1 }
                emit(JoinedMessage(source: source, timeNano: tentativeTimeNano,
                                   bytes: UnsafeRawBufferPointer(rebasing: raw[start..<end]), severity: nil, lines: 1))
                start = end + 1
            }
        }
        slots[s].reset()
    }
}
