import LogshipDelivery
import LogshipDestinations
import LogshipSystem
import LogshipWire

/// Reads one FIFO until the daemon closes it or the plugin stops: large reads, every
/// complete frame decoded in place, entries through the pipeline, batches handed to
/// the queues after each read, then the lines and messages still in progress
/// checkpointed, and only then the bytes taken out of Docker's pipe (see `FIFOSource`).
///
/// It waits for the FIFO with no timeout, unless the pipeline holds a multi-line
/// message in progress: then until that message is due, and sends it.
///
/// It never waits on anything but the FIFO: the queues it feeds never block (unless
/// the operator chose QUEUE_OVERFLOW=block). After StopLogging it simply goes on
/// until EOF, which comes when the daemon closes its end, so nothing is lost. Nothing
/// ends it early: damaged bytes are skipped to the next frame, a failing system call
/// is retried with backoff, and at shutdown it stops between reads, leaving what it
/// has not consumed in the FIFO for the next run.
final class StreamReader: @unchecked Sendable {
    let file: String
    let containerID: String
    /// The FIFO; this reader owns it and closes it when it ends.
    private let descriptor: FileDescriptor
    private let pipeline: StreamPipeline
    /// Checked after each read: a route change takes effect from the read's first line.
    let routeFollower: RouteFollower
    private let stop: StopSignal
    private let peekPipes: PeekPipePool
    private let counters: StreamCounters
    private let log: LogSink
    private let onEnd: @Sendable (StreamReader, StreamOutcome) -> Void
    private let skipReports = RateLimiter()
    private let failureReports = RateLimiter()
    private let checkpointReports = RateLimiter()
    /// Where the lines and messages in progress are kept; nil without a state directory.
    private let checkpoint: CheckpointSlots?

    /// The daemon writes one frame per `write()`. A reader faster than the daemon
    /// would wake and read once per line; instead, after a read that was not a burst,
    /// it waits this long so the next read collects many lines (the daemon keeps
    /// writing meanwhile: 2 ms of even 20 MB/s fit Docker's 64 KiB FIFO). Added
    /// latency: at most this delay.
    static let coalescingDelayNanoseconds: Int64 = 2_000_000

    init(file: String, containerID: String, descriptor: FileDescriptor, pipeline: StreamPipeline, routeFollower: RouteFollower,
         state: StreamStateStore, stop: StopSignal, peekPipes: PeekPipePool, counters: StreamCounters, log: LogSink, onEnd: @escaping @Sendable (StreamReader, StreamOutcome) -> Void) {
        self.file = file
        self.containerID = containerID
        self.descriptor = descriptor
        self.pipeline = pipeline
        self.routeFollower = routeFollower
        self.stop = stop
        self.peekPipes = peekPipes
        self.counters = counters
        self.log = log
        self.onEnd = onEnd
        checkpoint = state.checkpointSlots(file: file)
    }

    private var label: String { "container=\(containerID.prefix(12)) file=\(file)" }

    func run() {
        var outcome = StreamOutcome()
        // The bytes the previous run was about to consume when it stopped: if the FIFO
        // still begins with them, the restored state holds them already.
        var alreadyApplied = restoreLinesInProgress()
        var source: FIFOSource?
        var nextFrameBytes = 0
        var backoff = Backoff(initialNanoseconds: 100_000_000, maximumNanoseconds: 5_000_000_000)
        reading: while true {
            do {
                if source == nil { source = FIFOSource(fifo: descriptor, pool: peekPipes, log: log, label: label) }
                switch try source!.next(atLeast: nextFrameBytes, stop: stop, deadline: pipeline.nextDeadline) {
                case .stopped:
                    outcome.stopped = true
                    break reading
                case let .endOfStream(incompleteBytes):
                    outcome.truncatedBytes = incompleteBytes
                    break reading
                case .timedOut:
                    pipeline.emitExpired(now: MonotonicClock.now())
                    guard pipeline.flush() else {
                        outcome.stopped = true
                        break reading
                    }
                    checkpointLinesInProgress(consuming: UnsafeRawBufferPointer(start: nil, count: 0))
                case let .bytes(chunk):
                    if let applied = alreadyApplied {
                        alreadyApplied = nil
                        if applied.begins(chunk) {
                            try source!.consume(applied.length)
                            outcome.bytesRead += applied.length
                            log.info("\(label) discarded \(applied.length) bytes the previous run had handed on but not yet taken out of the FIFO")
                            continue reading
                        }
                    }
                    routeFollower.follow(pipeline)
                    let consumed = pipeline.consume(chunk)
                    if consumed.skippedBytes > 0 { reportSkipped(consumed, &outcome) }
                    guard pipeline.flush() else {
                        // The queues no longer accept (the plugin is stopping): these
                        // bytes stay in the FIFO for the next run.
                        outcome.stopped = true
                        break reading
                    }
                    checkpointLinesInProgress(consuming: UnsafeRawBufferPointer(rebasing: chunk[..<consumed.bytes]))
                    try source!.consume(consumed.bytes)
                    outcome.bytesRead += consumed.bytes
                    nextFrameBytes = consumed.nextFrameBytes ?? 0
                    backoff.reset()
                    if chunk.count < min(64 * 1024, source!.capacity / 2) && nextFrameBytes == 0
                        && stop.wait(nanoseconds: StreamReader.coalescingDelayNanoseconds) {
                        outcome.stopped = true
                        break reading
                    }
                }
            } catch {
                // A system call failed (ENOMEM, EMFILE...), not the stream: nothing was
                // consumed that is not handed on, so reading resumes where it stands.
                outcome.readFailures += 1
                if let suppressed = failureReports.admit() {
                    log.error("\(label) reading failed: \(error); retrying\(suppressed > 0 ? " (\(suppressed) similar suppressed)" : "")")
                }
                if stop.wait(nanoseconds: backoff.next()) {
                    outcome.stopped = true
                    break reading
                }
            }
        }
        outcome.reads = source?.reads ?? 0
        source?.close()
        if !outcome.stopped { pipeline.finish() }
        outcome.entries = pipeline.entries
        outcome.lines = pipeline.lines
        outcome.reassembledLines = pipeline.reassembledLines
        outcome.repeatedPieces = pipeline.repeatedPieces
        descriptor.close()
        onEnd(self, outcome)
    }

    /// Lines and messages a previous run had in progress when it stopped or died; the
    /// bytes it was about to consume.
    private func restoreLinesInProgress() -> ConsumedBytes? {
        guard let bytes = checkpoint?.load() else { return nil }
        do {
            let consumed = try pipeline.restore(checkpoint: bytes)
            log.info("\(label) continuing the long lines and multi-line messages in progress when the plugin last stopped")
            return consumed
        } catch {
            log.error("\(label) cannot read the checkpoint of lines in progress (\(error)): their first pieces are lost")
            return nil
        }
    }

    /// Before consuming: the lines and messages in progress must survive a crash, since
    /// the bytes they came in are about to leave the FIFO.
    private func checkpointLinesInProgress(consuming: UnsafeRawBufferPointer) {
        guard let bytes = pipeline.checkpointIfChanged(consuming: consuming) else { return }
        do {
            if bytes.isEmpty {
                checkpoint?.remove()
            } else {
                try checkpoint?.save(bytes)
            }
        } catch {
            // Refusing to consume would block the container: the line is at risk only
            // if the plugin also dies before the line ends.
            if let suppressed = checkpointReports.admit() {
                log.warn("\(label) cannot record the long lines in progress (\(error)): a plugin crash now would cut them\(suppressed > 0 ? " (\(suppressed) similar suppressed)" : "")")
            }
        }
    }

    private func reportSkipped(_ consumed: StreamPipeline.Consumed, _ outcome: inout StreamOutcome) {
        outcome.skippedBytes += consumed.skippedBytes
        counters.skippedBytes.add(consumed.skippedBytes, ordering: .relaxed)
        if consumed.error != nil {
            outcome.corruptions += 1
            counters.decodeErrors.add(1, ordering: .relaxed)
        }
        if let suppressed = skipReports.admit() {
            let why = consumed.error.map { "\($0)" } ?? "not a frame"
            log.error("\(label) skipped \(consumed.skippedBytes) bytes that are not log frames (\(why)); reading on from the next frame (\(outcome.skippedBytes) bytes skipped in this stream\(suppressed > 0 ? ", \(suppressed) reports suppressed" : ""))")
        }
    }
}

/// What happened to a stream, reported once when its reader ends.
struct StreamOutcome: Sendable {
    var bytesRead = 0
    var reads = 0
    var entries = 0
    var lines = 0
    var reassembledLines = 0
    var repeatedPieces = 0
    /// Bytes of an incomplete frame at EOF.
    var truncatedBytes = 0
    /// Bytes that were not frames, and how many damaged places they came from.
    var skippedBytes = 0
    var corruptions = 0
    var readFailures = 0
    /// The plugin is stopping: the stream is not over, it is re-attached at the next start.
    var stopped = false
}
