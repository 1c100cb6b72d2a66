import LogshipSystem
import LogshipWire

/// Reads one FIFO to its end: large reads, every complete frame decoded in place,
/// entries through the pipeline, batches handed to the queues after each read, and
/// only then the bytes taken out of Docker's pipe (see `PeekingSource`).
///
/// It never waits on anything but the FIFO: the queues it feeds never block (unless
/// the operator chose QUEUE_OVERFLOW=block). After StopLogging it simply goes on
/// until EOF, which comes when the daemon closes its end, so nothing is lost.
final class StreamReader: @unchecked Sendable {
    let file: String
    let containerID: String
    private let descriptor: FileDescriptor
    private let pipeline: StreamPipeline
    private let log: LogSink
    private let onEnd: @Sendable (StreamReader, StreamOutcome) -> Void

    /// The daemon writes one frame per `write()`. A reader faster than the daemon
    /// would wake and read once per line; instead, after a read that was not a burst,
    /// it waits this long so the next read collects many lines. The pipe is enlarged
    /// to `pipeBytes`, so the daemon never blocks in that time (1 MiB at even
    /// 100 MB/s lasts 10 ms). Added latency: at most this delay.
    static let coalescingDelayNanoseconds: Int64 = 2_000_000
    static let burstBytes = 64 * 1024
    static let pipeBytes = 1 << 20

    init(file: String, containerID: String, descriptor: FileDescriptor, pipeline: StreamPipeline, log: LogSink,
         onEnd: @escaping @Sendable (StreamReader, StreamOutcome) -> Void) {
        self.file = file
        self.containerID = containerID
        self.descriptor = descriptor
        self.pipeline = pipeline
        self.log = log
        self.onEnd = onEnd
    }

    func run() {
        var outcome = StreamOutcome()
        var source: any FIFOSource = FileDescriptor.canPeekPipes
            ? ((try? PeekingSource(fifo: descriptor)) ?? ConsumingSource(fifo: descriptor, capacity: StreamReader.pipeBytes) as any FIFOSource)
            : ConsumingSource(fifo: descriptor, capacity: StreamReader.pipeBytes)
        do {
            while let chunk = try source.available() {
                let used = try pipeline.consume(chunk)
                pipeline.flush()
                try source.consume(used)
                outcome.bytesRead += used
                let rest = UnsafeRawBufferPointer(rebasing: chunk[used...])
                if !rest.isEmpty, let needed = try pipeline.pendingFrameBytes(rest) {
                    if needed > source.capacity {
                        source = makeRoom(in: source, frameBytes: needed, outcome: &outcome)
                        continue
                    }
                    if used == 0 && source is PeekingSource && descriptor.isHungUp() {
                        outcome.truncatedBytes = rest.count  // the writer left in the middle of a frame
                        break
                    }
                }
                if chunk.count < StreamReader.burstBytes {
                    sleep(nanoseconds: StreamReader.coalescingDelayNanoseconds)
                }
            }
            if let consuming = source as? ConsumingSource, consuming.leftover > 0 {
                outcome.truncatedBytes = consuming.leftover
            }
        } catch let error as WireError {
            outcome.failure = "\(error)"
            outcome.discardedBytes = drainAfterCorruption()
        } catch {
            outcome.failure = "\(error)"
        }
        outcome.reads += source.reads
        source.close()
        pipeline.finish()
        outcome.entries = pipeline.entries
        outcome.reassembledLines = pipeline.reassembledLines
        descriptor.close()
        onEnd(self, outcome)
    }

    /// A frame larger than what the source can hold: a consuming source grows its
    /// buffer; a peeking one can never see it whole in the pipe, so the rest of the
    /// stream is read the consuming way.
    private func makeRoom(in source: any FIFOSource, frameBytes: Int, outcome: inout StreamOutcome) -> any FIFOSource {
        if var consuming = source as? ConsumingSource {
            consuming.reserve(frameBytes)
            return consuming
        }
        outcome.reads += source.reads
        source.close()
        log.debug("container=\(containerID.prefix(12)) frame of \(frameBytes) bytes exceeds the pipe; reading without peeking")
        var consuming = ConsumingSource(fifo: descriptor, capacity: StreamReader.pipeBytes)
        consuming.reserve(frameBytes)
        return consuming
    }

    /// A corrupt stream cannot be resynchronised (frames are only length-prefixed),
    /// but the daemon keeps writing into it: if we stopped reading, the container would
    /// block once the pipe filled. So the rest is read and discarded until EOF.
    private func drainAfterCorruption() -> Int {
        log.error("container=\(containerID.prefix(12)) file=\(file) log stream is corrupt; closing it and discarding the rest of it so the container does not block")
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { scratch.deallocate() }
        var discarded = 0
        while let count = try? descriptor.read(into: scratch), count > 0 { discarded += count }
        return discarded
    }
}

/// What happened to a stream, reported once when it ends.
struct StreamOutcome: Sendable {
    var bytesRead = 0
    var reads = 0
    var entries = 0
    var reassembledLines = 0
    /// Bytes of an incomplete frame at EOF.
    var truncatedBytes = 0
    var discardedBytes = 0
    var failure: String?
}
