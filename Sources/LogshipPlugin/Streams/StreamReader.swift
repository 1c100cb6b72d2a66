import LogshipSystem
import LogshipWire

/// Reads one FIFO to its end: large reads, every complete frame decoded in place,
/// entries through the pipeline, batches handed to the queues after each read.
///
/// It never waits on anything but the FIFO: the queues it feeds never block. After
/// StopLogging it simply goes on until EOF, which comes when the daemon closes its
/// end, so nothing in the pipe is lost.
final class StreamReader: @unchecked Sendable {
    let file: String
    let containerID: String
    private let descriptor: FileDescriptor
    private let pipeline: StreamPipeline
    private let log: LogSink
    private let onEnd: @Sendable (StreamReader, StreamOutcome) -> Void

    /// Reads return what the pipe holds (up to `pipeBytes`); a frame can be up to the
    /// decoder's limit, so the buffer grows to that when one needs it.
    static let initialBufferBytes = 1 << 20

    /// The daemon writes one frame per `write()`. A reader faster than the daemon
    /// would wake and call `read()` once per line; instead, after a read that was
    /// not a burst, it waits this long so the next read collects many lines. The
    /// pipe is enlarged to `pipeBytes`, so the daemon never blocks in that time
    /// (1 MiB at even 100 MB/s lasts 10 ms). Added latency: at most this delay.
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
        var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: StreamReader.initialBufferBytes, alignment: 16)
        defer {
            buffer.deallocate()
            descriptor.close()
            onEnd(self, outcome)
        }
        var filled = 0
        while true {
            let count: Int
            do {
                count = try descriptor.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            } catch {
                outcome.failure = "\(error)"
                break
            }
            if count == 0 {
                if filled > 0 { outcome.truncatedBytes = filled }
                break
            }
            filled += count
            outcome.bytesRead += count
            outcome.reads += 1
            do {
                let consumed = try pipeline.consume(UnsafeRawBufferPointer(rebasing: buffer[..<filled]))
                pipeline.flush()
                filled -= consumed
                if consumed > 0 && filled > 0 {
                    buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + consumed, byteCount: filled)
                }
                if let frameBytes = try pipeline.pendingFrameBytes(UnsafeRawBufferPointer(rebasing: buffer[..<filled])),
                   frameBytes > buffer.count {
                    buffer = grow(buffer, to: frameBytes, keeping: filled)
                }
                if count < StreamReader.burstBytes { sleep(nanoseconds: StreamReader.coalescingDelayNanoseconds) }
            } catch {
                outcome.failure = "\(error)"
                outcome.discardedBytes = drainAfterCorruption(buffer)
                break
            }
        }
        pipeline.finish()
        outcome.entries = pipeline.entries
        outcome.reassembledLines = pipeline.reassembledLines
    }

    private func grow(_ buffer: UnsafeMutableRawBufferPointer, to size: Int, keeping filled: Int) -> UnsafeMutableRawBufferPointer {
        let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        larger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: filled)
        buffer.deallocate()
        return larger
    }

    /// A corrupt stream cannot be resynchronised (frames are only length-prefixed),
    /// but the daemon keeps writing into it: if we stopped reading, the container would
    /// block once the pipe filled. So the rest is read and discarded until EOF.
    private func drainAfterCorruption(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
        log.error("container=\(containerID.prefix(12)) file=\(file) log stream is corrupt; closing it and discarding the rest of it so the container does not block")
        var discarded = 0
        while let count = try? descriptor.read(into: buffer), count > 0 { discarded += count }
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
