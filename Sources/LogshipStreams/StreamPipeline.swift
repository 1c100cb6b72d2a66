import LogshipConfig
import LogshipDelivery
import LogshipDestinations
import LogshipEvents
import LogshipFormat
import LogshipSystem
import LogshipWire

/// Everything between FIFO bytes and the destination queues, for one stream:
/// frame decoding, reassembly, lines into messages (`EventBuilder`: multi-line
/// joining, severity, JSON fields; absent when the settings ask for none of it),
/// then formatting into one batch per destination. No I/O: the reader feeds it what
/// it read (and the pipeline benchmark feeds it frames from memory, so it measures
/// exactly this code).
///
/// A class so the reassembler's callback can reach `outputs` without tripping
/// Swift's exclusivity rules on a struct.
public final class StreamPipeline {
    @exclusivity(unchecked) private var scanner: EntryScanner
    // Touched only by the stream's reader thread: no run-time exclusivity checks.
    @exclusivity(unchecked) private var reassembler: Reassembler
    // Both replaced between reads when the stream follows a route change (`follow`).
    @exclusivity(unchecked) private var events: EventBuilder?
    @exclusivity(unchecked) private var outputs: [DestinationOutput]
    /// What `events` was made from, and the byte cap it was given (a route change does not
    /// change a running stream's `max-line-size`).
    @exclusivity(unchecked) private var eventSettings: EventSettings?
    private let maxLineBytes: Int
    /// The monotonic time of the read being handled (taken once per read, only when a
    /// joiner needs it for its timeouts).
    @exclusivity(unchecked) private var now: Int64 = 0
    /// The bytes `consume` is reading, while it reads them: a line inside them stays valid
    /// until it returns, so a joiner may hold it without a copy till then.
    @exclusivity(unchecked) private var readBuffer = UnsafeRawBufferPointer(start: nil, count: 0)
    /// Entries decoded so far.
    @exclusivity(unchecked) public private(set) var entries = 0
    /// Lines handed on (or, without outputs, thrown away) so far.
    @exclusivity(unchecked) public private(set) var lines = 0
    /// `reassembler.changes` and `events.changes` when the last checkpoint was taken.
    @exclusivity(unchecked) private var checkpointedChanges = 0
    @exclusivity(unchecked) private var checkpointedEventChanges = 0
    @exclusivity(unchecked) private var checkpointOnDisk = CheckpointOnDisk.none

    private enum CheckpointOnDisk {
        case none
        /// Lines or messages in progress (and possibly lines that ended).
        case lines
        /// Nothing in progress any more, kept for one more read (see `checkpointIfChanged`).
        case tombstones
    }

    /// What one `consume` did with the bytes it was given.
    public struct Consumed {
        /// Bytes dealt with from the start (frames decoded, bytes skipped); the rest is
        /// the beginning of a frame that needs more bytes.
        public var bytes = 0
        /// At least this many bytes from `bytes` on are needed before the next frame can
        /// be decoded; nil when everything given was used.
        public var nextFrameBytes: Int?
        /// Bytes skipped because they were not frames, and the first reason why.
        public var skippedBytes = 0
        public var error: WireError?
    }

    /// A pipeline for `settings`, taking each destination they name from `acquire`;
    /// nil settings make a pipeline that reads and counts lines but delivers nothing
    /// (a stream whose settings cannot be resolved at all). Throws what `acquire`
    /// throws, or a `PatternError` if the multi-line rule does not compile (option
    /// resolution compiled it already, so only a changed C library could).
    public init(settings: StreamSettings?, decoder: FrameDecoder = FrameDecoder(),
                acquire: (DestinationKey) throws -> Destination) throws {
        scanner = EntryScanner(decoder: decoder)
        maxLineBytes = settings?.maxLineBytes ?? StreamSettings.defaultMaxLineBytes
        reassembler = Reassembler(maxLineBytes: maxLineBytes)
        eventSettings = settings?.events
        events = try Self.eventBuilder(for: settings?.events, maxLineBytes: maxLineBytes)
        outputs = try Self.outputs(for: settings, acquire: acquire)
    }

    /// One output per destination `settings` name (none for nil settings).
    static func outputs(for settings: StreamSettings?, acquire: (DestinationKey) throws -> Destination) rethrows -> [DestinationOutput] {
        var outputs: [DestinationOutput] = []
        for plan in settings.map(DestinationPlan.plans(for:)) ?? [] {
            outputs.append(plan.makeOutput(try acquire(plan.key)))
        }
        return outputs
    }

    private static func eventBuilder(for settings: EventSettings?, maxLineBytes: Int) throws -> EventBuilder? {
        guard let settings, !settings.isPlain else { return nil }
        return try EventBuilder(settings: settings, maxMessageBytes: maxLineBytes)
    }

    /// From the next line on, makes messages by `settings`' event options and formats them
    /// for `newOutputs` instead (a route change). What was formatted so far is handed to
    /// the current destinations first; a line in progress (its earlier 16 KiB pieces)
    /// carries over to the new ones. When the event options change, the multi-line
    /// messages in progress are finished and go to the current destinations too.
    /// Returns false, with the outputs unchanged, when a queue refused (the plugin is
    /// stopping); throws, with nothing changed, if the new multi-line rule does not compile.
    func follow(_ settings: StreamSettings, outputs newOutputs: [DestinationOutput]) throws -> Bool {
        if settings.events != eventSettings {
            let newEvents = try Self.eventBuilder(for: settings.events, maxLineBytes: maxLineBytes)
            events?.finish { event in send(event) }
            guard flush() else { return false }
            events = newEvents
            eventSettings = settings.events
            // The next checkpoint is written afresh: the new builder counts its changes from 0.
            checkpointedEventChanges = -1
        }
        guard flush() else { return false }
        outputs = newOutputs
        return true
    }

    public var reassembledLines: Int { reassembler.reassembledLines }
    public var repeatedPieces: Int { reassembler.repeatedPieces }

    /// When the earliest multi-line message in progress is due (a monotonic time): the
    /// reader waits for the FIFO until then, and calls `emitExpired`. nil when nothing
    /// is held: the reader then waits for the FIFO alone.
    public var nextDeadline: Int64? { events?.nextDeadline }

    /// Decodes and handles every complete frame in `bytes`. Bytes that do not decode
    /// are skipped up to the next recognisable frame (`FrameResync`): a damaged frame
    /// costs that frame, not the rest of the stream.
    @inline(__always)
    public func consume(_ bytes: UnsafeRawBufferPointer) -> Consumed {
        if let events, events.usesClock { now = MonotonicClock.now() }
        readBuffer = bytes
        var result = Consumed()
        var offset = 0
        scanning: while offset < bytes.count {
            switch scanner.step(in: bytes, from: offset) {
            case let .entry(entry, end):
                handle(entry)
                entries += 1
                offset = end
            case let .needMore(frameBytes):
                result.nextFrameBytes = frameBytes
                break scanning
            case let .skipped(to, error):
                result.skippedBytes += to - offset
                if result.error == nil { result.error = error }
                offset = to
            }
        }
        result.bytes = offset
        if let deadline = events?.nextDeadline, deadline <= now { emitExpired(now: now) }
        events?.endOfRead()
        readBuffer = UnsafeRawBufferPointer(start: nil, count: 0)
        return result
    }

    @inline(__always)
    func handle(_ entry: LogEntry) {
        reassembler.push(entry) { line in deliver(line) }
    }

    @inline(__always)
    private func deliver(_ line: Line) {
        lines += 1
        if let events {
            let inReadBuffer = readBuffer.baseAddress.map { start in
                line.bytes.baseAddress.map { $0 >= start && $0 + line.bytes.count <= start + readBuffer.count } ?? true
            } ?? false
            events.push(line, now: now, lineOutlivesCall: inReadBuffer) { event in send(event) }
        } else {
            send(LogEvent(line))
        }
    }

    @inline(__always)
    private func send(_ event: LogEvent) {
        for output in outputs { output.append(event) }
    }

    /// Sends the multi-line messages whose timeout has passed by `now` (monotonic).
    public func emitExpired(now: Int64) {
        events?.emitExpired(now: now) { event in send(event) }
    }

    /// Hands everything formatted so far to the destination queues (after each read).
    /// False when a queue refused it (the plugin is stopping): the bytes it came from
    /// must then stay in the FIFO.
    public func flush() -> Bool {
        var accepted = true
        for output in outputs where !output.flush() { accepted = false }
        return accepted
    }

    /// At end of stream: emits unfinished lines as they are and the messages in
    /// progress, then flushes.
    @discardableResult
    public func finish() -> Bool {
        reassembler.flush { line in deliver(line) }
        events?.finish { event in send(event) }
        return flush()
    }

    // MARK: Lines and messages in progress across restarts

    /// What to keep on disk before the FIFO bytes `consuming` (what the read handed on;
    /// empty when nothing is consumed, as after a timeout) leave the FIFO: nil when the
    /// file on disk is still right, an empty array when it can go.
    ///
    /// Call after the read's messages are spooled and before its bytes are consumed. A
    /// line or message that started and ended within one read needs nothing: all its
    /// bytes stay in the FIFO until then. Once something in progress was written, the
    /// next checkpoint also names the lines that ended since (their last pieces may be
    /// read again if the plugin dies before consuming them); one read later that is no
    /// longer needed.
    public func checkpointIfChanged(consuming: UnsafeRawBufferPointer) -> [UInt8]? {
        let eventChanges = events?.changes ?? 0
        let dirty = reassembler.changes != checkpointedChanges || eventChanges != checkpointedEventChanges
        let holding = reassembler.hasPending || (events?.isHolding ?? false)
        if !holding {
            switch checkpointOnDisk {
            case .none:
                checkpointedChanges = reassembler.changes
                checkpointedEventChanges = eventChanges
                return nil
            case .tombstones:
                checkpointOnDisk = .none
                checkpointedChanges = reassembler.changes
                checkpointedEventChanges = eventChanges
                return []
            case .lines where consuming.isEmpty:
                // Nothing in progress and no bytes to consume (a timeout sent the last
                // message): nothing can be read twice, the file can go now.
                checkpointOnDisk = .none
                checkpointedChanges = reassembler.changes
                checkpointedEventChanges = eventChanges
                return []
            case .lines:
                break
            }
        } else if checkpointOnDisk == .lines && !dirty {
            return nil
        }
        let checkpoint = StreamCheckpoint(reassembler: reassembler.checkpoint(sinceChanges: checkpointedChanges),
                                          events: events?.checkpoint() ?? [],
                                          consumed: consuming.isEmpty ? nil : ConsumedBytes(consuming))
        checkpointedChanges = reassembler.changes
        checkpointedEventChanges = eventChanges
        checkpointOnDisk = holding ? .lines : .tombstones
        return checkpoint.encoded()
    }

    /// Continues the lines and messages a crashed or stopped run had in progress.
    /// Returns the bytes that run was about to consume: if the FIFO still begins with
    /// them, they are in the restored state already and must be discarded unread.
    ///
    /// Messages in progress that this stream's settings can no longer hold (multi-line
    /// joining was turned off or made smaller since) are sent as they are.
    public func restore(checkpoint bytes: [UInt8]) throws(CheckpointError) -> ConsumedBytes? {
        let checkpoint = try StreamCheckpoint.decode(bytes)
        try reassembler.restore(checkpoint: checkpoint.reassembler)
        if !checkpoint.events.isEmpty {
            let now = MonotonicClock.now()
            do {
                guard let events else { throw PatternError("multi-line joining is off now") }
                try events.restore(checkpoint: checkpoint.events, now: now)
            } catch {
                do {
                    try EventBuilder.replay(checkpoint: checkpoint.events) { event in send(event) }
                } catch {
                    throw CheckpointError("the multi-line messages in progress: \(error)")
                }
            }
        }
        checkpointedChanges = reassembler.changes
        checkpointedEventChanges = events?.changes ?? 0
        checkpointOnDisk = .lines
        return checkpoint.consumed
    }
}
