import LogshipWire

/// Turns a stream's lines into the events its destinations format, by its
/// `EventSettings`: the sd-daemon prefix read off each line (`level-from=prefix`,
/// `auto`), lines joined into messages (`multiline-*`), then each message's severity
/// (a JSON member, a leading keyword, else its stream's) and, with `parse-json`, the
/// members of a JSON object line. A joined message is not read as JSON.
///
/// One per stream, used by its reader thread only.
public final class EventBuilder {
    public let settings: EventSettings
    // Only the stream's reader thread touches these.
    @exclusivity(unchecked) private var joiner: MultilineJoiner?
    private let fields = JSONLineFields()

    /// Compiles the multi-line rule for this stream; `maxMessageBytes` is `max-line-size`.
    public init(settings: EventSettings, maxMessageBytes: Int) throws(PatternError) {
        self.settings = settings
        if let multiline = settings.multiline {
            joiner = MultilineJoiner(classifier: try multiline.rule.compile(), maxLines: multiline.maxLines,
                                     maxBytes: maxMessageBytes, timeoutNanoseconds: multiline.timeoutNanoseconds)
        }
    }

    /// Whether `push` needs the monotonic time (a joiner's timeouts).
    public var usesClock: Bool { joiner != nil }

    /// When the earliest message in progress is due; nil when nothing is held.
    public var nextDeadline: Int64? { joiner?.nextDeadline }

    public var isHolding: Bool { joiner?.isHolding ?? false }

    /// Bumped whenever what is held changes (see `MultilineJoiner.changes`).
    public var changes: Int { joiner?.changes ?? 0 }

    /// - Parameter lineOutlivesCall: the line's bytes stay valid until `endOfRead` (they
    ///   are in the read buffer, not in a reassembled line's), so a held line need not be
    ///   copied at once.
    @inline(__always)
    public func push(_ line: Line, now: Int64, lineOutlivesCall: Bool = false, emit: (LogEvent) -> Void) {
        var bytes = line.bytes
        var severity: Severity?
        if settings.levelFrom == .prefix || settings.levelFrom == .auto, let (found, rest) = SeverityPrefix.split(bytes) {
            severity = found
            bytes = rest
        }
        guard joiner != nil else {
            finish(JoinedMessage(source: line.source, timeNano: line.timeNano, bytes: bytes, severity: severity, lines: 1), emit)
            return
        }
        joiner!.push(bytes, source: line.source, timeNano: line.timeNano, severity: severity, now: now,
                     lineOutlivesCall: lineOutlivesCall) { finish($0, emit) }
    }

    /// The read buffer the lines came from is about to be reused.
    public func endOfRead() {
        joiner?.endOfRead()
    }

    /// Sends the messages whose timeout passed.
    public func emitExpired(now: Int64, emit: (LogEvent) -> Void) {
        joiner?.emitExpired(now: now) { finish($0, emit) }
    }

    /// Sends every message in progress: the stream ended.
    public func finish(emit: (LogEvent) -> Void) {
        joiner?.flush { finish($0, emit) }
    }

    /// The messages in progress, to keep on disk (empty when there is no joiner).
    public func checkpoint() -> [UInt8] { joiner?.checkpoint() ?? [] }

    public func restore(checkpoint bytes: [UInt8], now: Int64) throws(PatternError) {
        guard !bytes.isEmpty else { return }
        guard joiner != nil else { throw PatternError("messages in progress were kept, but multi-line joining is off now") }
        try joiner!.restore(checkpoint: bytes, now: now)
    }

    /// Sends the messages of a joiner checkpoint as they are, at their streams'
    /// severities: for a stream whose settings no longer join lines.
    public static func replay(checkpoint bytes: [UInt8], emit: (LogEvent) -> Void) throws(PatternError) {
        var joiner = MultilineJoiner(classifier: .presets(PresetRecognizer([])), maxLines: Int(Int32.max),
                                     maxBytes: Int(Int32.max), timeoutNanoseconds: 1)
        try joiner.restore(checkpoint: bytes, now: 0)
        joiner.flush { message in
            emit(LogEvent(source: message.source, timeNano: message.timeNano, bytes: message.bytes,
                          severity: message.severity ?? .of(message.source), lines: message.lines))
        }
    }

    /// A message's severity and fields, then out.
    @inline(__always)
    private func finish(_ message: JoinedMessage, _ emit: (LogEvent) -> Void) {
        var event = LogEvent(source: message.source, timeNano: message.timeNano, bytes: message.bytes,
                             severity: message.severity ?? .of(message.source), lines: message.lines)
        let levelFrom = settings.levelFrom
        var found = message.severity != nil
        if message.lines == 1 && (settings.parseJSON || (!found && (levelFrom == .json || levelFrom == .auto)))
            && fields.read(message.bytes) {
            if !found && (levelFrom == .json || levelFrom == .auto), let severity = fields.severity {
                event.severity = severity
                found = true
            }
            if settings.parseJSON { event.fields = fields }
        }
        if !found && levelFrom == .auto, let severity = SeverityKeyword.find(in: message.bytes) {
            event.severity = severity
        }
        emit(event)
    }
}
