import Glibc
import LogshipConfig
import LogshipDelivery
import LogshipFormat
import LogshipJSON
import LogshipSystem
import Synchronization

/// Why StartLogging was refused; the message reaches `docker run`.
public struct StartError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// The live log streams, by FIFO path: StartLogging adds one, its reader removes it
/// at EOF. StopLogging only marks it; the reader's EOF is the real end.
public final class StreamRegistry: @unchecked Sendable {
    private struct Active {
        let reader: StreamReader
        let destinations: [Destination]
        var stopRequested = false
    }

    private let resolver: OptionResolver
    private let destinations: DestinationRegistry
    private let state: StreamStateStore
    private let log: LogSink
    private let lock = ConditionLock()
    private var active: [String: Active] = [:]
    let counters = StreamCounters()

    /// - Parameter stateDirectory: where open streams are recorded for re-attaching
    ///   after a restart; nil for none.
    public init(resolver: OptionResolver, destinations: DestinationRegistry, stateDirectory: String? = nil, log: LogSink) {
        self.resolver = resolver
        self.destinations = destinations
        self.state = StreamStateStore(directory: stateDirectory, log: log)
        self.log = log
    }

    public var activeCount: Int { lock.withLock { active.count } }

    /// Lines rebuilt from Docker's 16 KiB pieces, over all streams that have ended.
    public var reassembledLines: Int { counters.reassembledLines.load(ordering: .relaxed) }

    /// Re-opens the FIFOs of streams a previous run of the plugin was reading when it
    /// stopped. A FIFO that is gone, or has no writer left (its container stopped
    /// meanwhile), ends at once and its record is dropped.
    public func reattachSavedStreams() {
        for (path, body) in state.saved() {
            guard let json = try? JSONParser.parse(body), let request = try? StartLoggingRequest(json: json) else {
                log.warn("dropping unreadable stream record \(path)")
                FileSystem.remove(path)
                continue
            }
            guard FileSystem.isFIFO(request.file) else {
                log.info("container=\(request.info.shortID) file=\(request.file) is gone; not re-attaching")
                FileSystem.remove(path)
                continue
            }
            do {
                try start(file: request.file, info: request.info, record: false)
                counters.reattached.add(1, ordering: .relaxed)
                log.info("container=\(request.info.shortID) re-attached to \(request.file)")
            } catch {
                log.error("container=\(request.info.shortID) cannot re-attach to \(request.file): \(error)")
                FileSystem.remove(path)
            }
        }
    }

    /// Validates the options, opens the FIFO and starts its reader. Never touches the
    /// network: a container starts even when every destination is down.
    /// - Parameter record: keep a record of the stream so it can be re-attached after
    ///   a plugin restart (false when re-attaching: it is recorded already).
    public func start(file: String, info: ContainerInfo, record: Bool) throws(StartError) {
        let settings: StreamSettings
        do {
            settings = try resolver.resolve(info)
        } catch {
            throw StartError(message: error.message)
        }
        let alreadyActive = lock.withLock { active[file] != nil }
        if alreadyActive {
            // The daemon retries a request whose answer timed out; the first one won.
            log.info("container=\(info.shortID) file=\(file) StartLogging repeated; already reading")
            return
        }
        let descriptor = try openFIFO(file)

        var acquired: [Destination] = []
        var outputs: [(Destination, MessageFormatter)] = []
        do {
            for (key, formatter) in StreamPipeline.formatters(for: settings) {
                let destination = try destinations.acquire(key)
                acquired.append(destination)
                outputs.append((destination, formatter))
            }
        } catch {
            for destination in acquired { destinations.release(destination) }
            descriptor.close()
            throw StartError(message: "logship: cannot start a sender thread: \(error)")
        }

        if record {
            // The container's environment can hold secrets: the record keeps only the
            // variables the options select, which is all a re-attached stream needs.
            let selected = Set(settings.context.attributes.map(\.key))
            var kept = info
            kept.containerEnv = info.containerEnv.filter { entry in
                selected.contains(String(entry.prefix { $0 != "=" }))
            }
            do {
                try state.save(file: file, request: StartLoggingRequest(file: file, info: kept).json.serialized())
            } catch {
                log.warn("container=\(info.shortID) cannot record its stream for re-attaching after a restart: \(error)")
            }
        }
        let pipeline = StreamPipeline(settings: settings, destinations: outputs)
        let reader = StreamReader(file: file, containerID: info.containerID, descriptor: descriptor, pipeline: pipeline, log: log) {
            [weak self] reader, outcome in self?.readerEnded(reader, outcome)
        }
        lock.withLock { active[file] = Active(reader: reader, destinations: acquired) }
        do {
            try spawnThread(name: "read \(info.shortID)") { reader.run() }
        } catch {
            lock.withLock { active[file] = nil }
            for destination in acquired { destinations.release(destination) }
            descriptor.close()
            state.remove(file: file)
            throw StartError(message: "logship: cannot start a reader thread: \(error)")
        }
        counters.started.add(1, ordering: .relaxed)
        let targets = outputs.map { "\($0.0.key)" }.joined(separator: " ")
        log.info("container=\(info.shortID) name=\(info.name) started file=\(file) destinations=\(targets)")
    }

    /// Marks the stream as stopping; its reader carries on to EOF.
    public func stop(file: String) {
        let known = lock.withLock { () -> Bool in
            guard active[file] != nil else { return false }
            active[file]?.stopRequested = true
            return true
        }
        if !known {
            // Its reader already hit EOF, or it was never ours: nothing to do either way.
            log.debug("StopLogging for \(file): stream already ended")
        }
    }

    /// Waits until every stream has ended or `deadline` (monotonic) passes.
    public func waitForStreams(until deadline: Int64) -> Bool {
        lock.withLock {
            while !active.isEmpty {
                if !lock.wait(until: deadline) { break }
            }
            return active.isEmpty
        }
    }

    private func readerEnded(_ reader: StreamReader, _ outcome: StreamOutcome) {
        // The record goes first, so a stream that is no longer active has none left.
        state.remove(file: reader.file)
        let entry = lock.withLock { () -> Active? in
            defer { lock.broadcast() }
            return active.removeValue(forKey: reader.file)
        }
        counters.record(outcome)
        for destination in entry?.destinations ?? [] { destinations.release(destination) }
        let id = reader.containerID.prefix(12)
        var summary = "container=\(id) file=\(reader.file) ended entries=\(outcome.entries) bytes=\(outcome.bytesRead) reads=\(outcome.reads)"
        if entry?.stopRequested == false { summary += " (EOF without StopLogging)" }
        if let failure = outcome.failure {
            log.error("\(summary) error=\"\(failure)\" discarded_bytes=\(outcome.discardedBytes)")
        } else if outcome.truncatedBytes > 0 {
            log.warn("\(summary) incomplete_final_frame_bytes=\(outcome.truncatedBytes)")
        } else {
            log.info(summary)
        }
    }

    /// Opens a FIFO without ever blocking: with O_NONBLOCK a FIFO whose writer is gone
    /// still opens, and the flag is cleared so reads then wait for data as usual.
    /// The pipe is enlarged so the daemon can keep writing while the reader coalesces.
    private func openFIFO(_ file: String) throws(StartError) -> FileDescriptor {
        do {
            let descriptor = try FileDescriptor.open(file, [.readOnly, .nonBlocking])
            do {
                try descriptor.setNonBlocking(false)
            } catch {
                descriptor.close()
                throw error
            }
            do {
                try descriptor.setPipeSize(StreamReader.pipeBytes)
            } catch {
                // Only slower (more reads per line), never wrong: carry on.
                log.debug("file=\(file) keeps its default pipe size: \(error)")
            }
            return descriptor
        } catch {
            throw StartError(message: "logship: cannot open the log stream: \(error)")
        }
    }
}
