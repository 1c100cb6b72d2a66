import Glibc
import LogshipConfig
import LogshipDelivery
import LogshipDestinations
import LogshipFormat
import LogshipStreams
import LogshipSystem

/// One benchmark session: a loopback sink and a destination to it, shared by every run.
final class PipelineBenchmark {
    let entries: Int
    let sink: LoopbackSink
    let registry: DestinationRegistry
    let destination: Destination

    /// - Parameter spoolRoot: where the destination spools, as in the plugin; nil for a
    ///   memory-only queue.
    init(entries: Int, spoolRoot: String?) throws {
        self.entries = entries
        sink = try LoopbackSink()
        var settings = DeliverySettings()
        // Large enough that nothing is dropped: the benchmark measures work, not overflow.
        settings.memoryBytes = 4 << 30
        settings.spoolBytes = 8 << 30
        settings.spoolRoot = spoolRoot
        registry = DestinationRegistry(settings: settings, log: LogSink(minimumLevel: .warn))
        destination = try registry.acquire(.tcp(host: "127.0.0.1", port: sink.port))
    }

    /// Splits the corpus at frame boundaries into reads of about `readBytes`, as the
    /// FIFO reader sees them.
    static func reads(of corpus: FrameCorpus, readBytes: Int = 64 * 1024) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        var offset = 0
        corpus.bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                let length = Int(raw[offset]) << 24 | Int(raw[offset + 1]) << 16 | Int(raw[offset + 2]) << 8 | Int(raw[offset + 3])
                if offset + 4 + length - start > readBytes && offset > start {
                    ranges.append(start..<offset)
                    start = offset
                }
                offset += 4 + length
            }
        }
        ranges.append(start..<offset)
        return ranges
    }

    /// Feeds `entries` entries (the corpus, repeatedly) through `step` and waits until
    /// the sink has everything the destination sent.
    func run(_ name: String, corpus: FrameCorpus, chunks: [Range<Int>], _ step: (UnsafeRawBufferPointer) -> Void, finish: () -> Void) -> RunResult {
        let before = destination.stats
        let repeats = max(1, entries / corpus.frames)
        let wallStart = MonotonicClock.now()
        let cpuStart = threadCPUNanoseconds()
        corpus.bytes.withUnsafeBytes { raw in
            for _ in 0..<repeats {
                for chunk in chunks { step(UnsafeRawBufferPointer(rebasing: raw[chunk])) }
            }
        }
        finish()
        let cpu = threadCPUNanoseconds() - cpuStart
        // Everything enqueued (and not dropped) must reach the sink before the clock stops.
        // Queue counters only: `destination.stats` builds strings, which would count as
        // allocations of the pipeline under valgrind.
        while destination.queue.currentStats.pendingMessages > 0 { sleep(nanoseconds: 100_000) }
        sink.wait(forBytes: destination.stats.sentBytes)
        let wall = MonotonicClock.now() - wallStart
        let after = destination.stats
        return RunResult(name: name, entries: repeats * corpus.frames, inputBytes: repeats * corpus.bytes.count,
                         outputBytes: after.sentBytes - before.sentBytes, wallNanoseconds: wall, pipelineCPUNanoseconds: cpu,
                         dropped: after.queue.droppedMessages - before.queue.droppedMessages)
    }

    /// The floor: each read copied into one batch and queued, nothing decoded or formatted.
    func copyFloor(corpus: FrameCorpus, chunks: [Range<Int>]) -> RunResult {
        var batch = MessageBatch(capacity: 256 * 1024)
        return run("copy floor", corpus: corpus, chunks: chunks, { bytes in
            batch.bytes.append(contentsOf: bytes)
            batch.endMessage()
            destination.enqueue(&batch)
        }, finish: {})
    }

    func pipeline(_ format: String, variant: EventVariant = .off, corpus: FrameCorpus, chunks: [Range<Int>]) throws -> RunResult {
        var info = ContainerInfo(containerID: String(repeating: "ab12", count: 16), containerName: "/bench",
                                 containerImageID: "sha256:" + String(repeating: "0", count: 64), containerImageName: "busybox")
        // "FORMAT+rate-limit": the same with a rate limit that never triggers (10 M/s, a
        // burst of 100 M: more than a run's entries), to measure what checking it costs.
        let rateLimited = format.hasSuffix("+rate-limit")
        let base = rateLimited ? String(format.dropLast("+rate-limit".count)) : format
        let tcpFormats = ["json", "gelf", "raw"]
        info.config = tcpFormats.contains(base) ? ["tcp-address": "tcp://127.0.0.1:\(sink.port)", "tcp-format": base]
            : ["syslog-address": "tcp://127.0.0.1:\(sink.port)", "syslog-format": base]
        if rateLimited {
            info.config["rate-limit"] = "10000000"
            info.config["rate-burst"] = "100000000"
        }
        info.config.merge(variant.options) { $1 }
        let settings = try OptionResolver(environment: [:], hostname: "benchhost").resolve(info)
        // Every destination the settings name is the one benchmark destination (its sink).
        let pipeline = try StreamPipeline(settings: settings) { _ in destination }
        return run(variant == .off ? format : "\(format), \(variant.label)", corpus: corpus, chunks: chunks, { bytes in
            _ = pipeline.consume(bytes)
            _ = pipeline.flush()
        }, finish: { pipeline.finish() })
    }
}
