// The LogshipStreams module: a container's log stream from Docker's FIFO to the
// destination queues (read, decode, reassemble, format, enqueue), and the registry that
// starts, re-attaches and ends streams.

import Glibc
import LogshipConfig
import LogshipDelivery
import LogshipDestinations
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
///
/// A stream the plugin was reading when it stopped or died is re-attached at the next
/// start from its record (Docker never sends StartLogging again), and never given up
/// while its FIFO exists: today's settings if they resolve, else the ones it last
/// resolved to, else it is read and its lines counted as dropped; a failure to open
/// it or start its threads is retried with backoff. A FIFO nobody reads blocks its
/// container.
public final class StreamRegistry: @unchecked Sendable {
    private enum Entry {
        /// Reserved while StartLogging (or a re-attach) sets the stream up, so that a
        /// repeated request cannot start a second reader.
        case starting
        case reading(reader: StreamReader, stopRequested: Bool)
    }

    let resolver: OptionResolver
    let destinations: DestinationRegistry
    /// The routes in force; streams resolve against them and follow their changes.
    let routes: RouteTableStore
    let state: StreamStateStore
    let log: LogSink
    private let lock = ConditionLock()
    private var active: [String: Entry] = [:]
    /// Records whose re-attach failed for a reason that may pass (EMFILE, a thread that
    /// could not start): retried by one thread until they succeed or their FIFO is gone.
    private var retries: [String: StreamRecord] = [:]
    /// The records directory could not be listed (or a record read): look again.
    private var rescanDue = false
    private var retryThreadRunning = false
    /// Triggered at shutdown: readers stop between reads, retries end.
    private let stopSignal: StopSignal
    private let peekPipes: PeekPipePool
    let counters = StreamCounters()
    /// Per-container counters for the metrics, kept a while after a container ends.
    public let containers = ContainerAccounts()

    /// - Parameter stateDirectory: where open streams are recorded for re-attaching
    ///   after a restart; nil for none.
    public init(resolver: OptionResolver, destinations: DestinationRegistry, routes: RouteTableStore = RouteTableStore(),
                stateDirectory: String? = nil, log: LogSink) throws {
        self.resolver = resolver
        self.destinations = destinations
        self.routes = routes
        self.state = StreamStateStore(directory: stateDirectory, log: log)
        self.log = log
        stopSignal = try StopSignal()
        // Made now, while the host's pipe budget is most likely to allow full-size pipes.
        peekPipes = try PeekPipePool(pipes: 8)
    }

    public var activeCount: Int { lock.withLock { active.count } }

    /// Lines rebuilt from Docker's 16 KiB pieces, over all streams that have ended.
    public var reassembledLines: Int { counters.reassembledLines.load(ordering: .relaxed) }

    public var counts: StreamCounts { counters.snapshot }

    // MARK: StartLogging and StopLogging

    /// Validates the options, opens the FIFO and starts its reader. Never touches the
    /// network: a container starts even when every destination is down.
    /// - Parameter record: keep a record of the stream so it can be re-attached after
    ///   a plugin restart.
    public func start(file: String, info: ContainerInfo, record: Bool) throws(StartError) {
        guard reserve(file) else {
            // The daemon retries a request whose answer timed out; the first one won.
            log.info("container=\(info.shortID) file=\(file) StartLogging repeated; already reading")
            return
        }
        do throws(StartError) {
            let (table, generation) = routes.current
            let settings: StreamSettings
            do {
                settings = try resolver.resolve(info, routes: table)
            } catch {
                throw StartError(message: error.message)
            }
            try settings.checkTLSFiles()
            let streamRecord = record ? StreamRecord(file: file, info: info, settings: settings) : nil
            try attach(file: file, info: info, settings: settings, generation: generation, record: streamRecord, recorded: record, how: "started")
        } catch {
            unreserve(file)
            throw error
        }
        counters.started.add(1, ordering: .relaxed)
    }

    /// Marks the stream as stopping; its reader carries on to EOF.
    public func stop(file: String) {
        let known = lock.withLock { () -> Bool in
            guard case let .reading(reader, _)? = active[file] else { return false }
            active[file] = .reading(reader: reader, stopRequested: true)
            return true
        }
        if !known {
            // Its reader already hit EOF, or it was never ours: nothing to do either way.
            log.debug("StopLogging for \(file): stream already ended")
        }
    }

    // MARK: Re-attaching after a restart

    /// Re-opens the FIFOs of streams a previous run of the plugin was reading when it
    /// stopped. A FIFO that is gone, or has no writer left (its container stopped
    /// meanwhile), ends at once and its record is dropped.
    public func reattachSavedStreams() {
        let saved: (records: [(path: String, request: [UInt8])], unreadable: Int)
        do {
            saved = try state.saved()
        } catch {
            // Out of descriptors, most likely (the spools' lanes opened first): the FIFOs
            // behind these records block their containers until they are read, so the
            // records are looked for again, with backoff.
            log.error("cannot list the stream records in \(state.directory ?? "") (\(error)); looking again")
            scheduleRescan()
            return
        }
        if saved.unreadable > 0 {
            log.error("\(saved.unreadable) stream records in \(state.directory ?? "") cannot be read yet; trying again")
            scheduleRescan()
        }
        for (path, body) in saved.records {
            guard let json = try? JSONParser.parse(body), let record = StreamRecord(json: json) else {
                log.warn("dropping unreadable stream record \(path)")
                FileSystem.remove(path)
                continue
            }
            reattach(record)
        }
    }

    /// One attempt; a failure that may pass leaves the record for the retry thread.
    private func reattach(_ record: StreamRecord) {
        let file = record.file
        let info = record.info
        guard FileSystem.isFIFO(file) else {
            log.info("container=\(info.shortID) file=\(file) is gone; not re-attaching")
            state.remove(file: file)
            return
        }
        guard reserve(file) else { return }
        let (table, generation) = routes.current
        let settings = settingsForReattaching(record, routes: table)
        do {
            // A fresh resolution that differs is recorded: it is the new last good one.
            let updated = settings.map { StreamRecord(file: record.file, info: record.info, resolved: $0.resolved) }
            try attach(file: file, info: info, settings: settings, generation: generation,
                       record: updated.flatMap { $0.resolved == record.resolved ? nil : $0 }, recorded: true, how: "re-attached")
            counters.reattached.add(1, ordering: .relaxed)
        } catch {
            unreserve(file)
            log.error("container=\(info.shortID) cannot re-attach to \(file) yet: \(error); retrying")
            scheduleRetry(record)
        }
    }

    /// Today's settings; else the ones the stream last resolved to; else nil (read and
    /// count as dropped). Every fallback is logged with the reason.
    private func settingsForReattaching(_ record: StreamRecord, routes table: RouteTable) -> StreamSettings? {
        let info = record.info
        let fresh: String
        do {
            let settings = try resolver.resolve(info, routes: table, previous: record.resolved)
            try settings.checkTLSFiles()
            return settings
        } catch let error as OptionError {
            fresh = error.message
        } catch {
            fresh = "\(error)"
        }
        if let recorded = record.resolved {
            do {
                let settings = try resolver.resolveAsRecorded(info, recorded)
                log.warn("container=\(info.shortID) its options no longer resolve (\(fresh)); it keeps the settings it had until the problem is fixed (a routes file that resolves, or the plugin restarted)")
                return settings
            } catch {
                log.error("container=\(info.shortID) its recorded settings do not resolve either (\(error.message))")
            }
        }
        log.error("container=\(info.shortID) no usable settings (\(fresh)): its log stream is read so the container does not block, and its lines are counted as dropped until its options resolve (a routes file that resolves, or the plugin restarted with valid settings)")
        return nil
    }

    private func scheduleRetry(_ record: StreamRecord) {
        startRetryThread { retries[record.file] = record }
    }

    private func scheduleRescan() {
        startRetryThread { rescanDue = true }
    }

    /// Notes what to retry (under the lock) and starts the retry thread if it is not running.
    private func startRetryThread(_ note: () -> Void) {
        let startThread = lock.withLock { () -> Bool in
            note()
            defer { retryThreadRunning = true }
            return !retryThreadRunning
        }
        guard startThread else { return }
        do {
            try spawnThread(name: "reattach") { [self] in retryLoop() }
        } catch {
            lock.withLock { retryThreadRunning = false }
            log.error("cannot start the re-attach retry thread: \(error); the streams waiting for it are retried at the next start")
        }
    }

    private func retryLoop() {
        var backoff = Backoff(initialNanoseconds: 250_000_000, maximumNanoseconds: 10_000_000_000)
        while !stopSignal.wait(nanoseconds: backoff.next()) {
            let (due, rescan) = lock.withLock { () -> ([StreamRecord], Bool) in
                defer {
                    retries.removeAll()
                    rescanDue = false
                }
                return (Array(retries.values), rescanDue)
            }
            for record in due { reattach(record) }
            if rescan { reattachSavedStreams() }
            let done = lock.withLock { () -> Bool in
                let done = retries.isEmpty && !rescanDue
                if done { retryThreadRunning = false }
                return done
            }
            if done { return }
        }
        lock.withLock { retryThreadRunning = false }
    }

    // MARK: Shutdown

    /// Tells every reader to stop between reads (what it has not consumed stays in the
    /// FIFO for the next run) and waits for them until `deadline` (monotonic). Returns
    /// how many are still running: those are blocked handing a batch to a full queue.
    @discardableResult
    public func stopReaders(until deadline: Int64) -> Int {
        stopSignal.trigger()
        return lock.withLock {
            while !active.isEmpty && MonotonicClock.now() < deadline {
                _ = lock.wait(until: deadline)
            }
            return active.count
        }
    }

    /// Waits until every stream has ended or `deadline` (monotonic) passes.
    func waitForStreams(until deadline: Int64) -> Bool {
        lock.withLock {
            while !active.isEmpty {
                if !lock.wait(until: deadline) { break }
            }
            return active.isEmpty
        }
    }

    // MARK: Internals

    private func reserve(_ file: String) -> Bool {
        lock.withLock {
            guard active[file] == nil else { return false }
            active[file] = .starting
            return true
        }
    }

    private func unreserve(_ file: String) {
        lock.withLock {
            if case .starting? = active[file] { active[file] = nil }
            lock.broadcast()
        }
    }

    /// Opens the FIFO, acquires the destinations, writes `record` (nil: leave the one
    /// on disk as it is) and starts the reader. `settings` nil: read and discard;
    /// `generation`: of the route table they were resolved against; `recorded`: the stream
    /// has a record (kept up to date when it follows a route change). The file must be
    /// reserved; on failure everything taken is given back.
    private func attach(file: String, info: ContainerInfo, settings: StreamSettings?, generation: Int, record: StreamRecord?,
                        recorded: Bool, how: String) throws(StartError) {
        let descriptor = try openFIFO(file)
        var acquired: [Destination] = []
        let pipeline: StreamPipeline
        do {
            pipeline = try StreamPipeline(settings: settings) { key in
                let destination = try destinations.acquire(key)
                acquired.append(destination)
                return destination
            }
        } catch {
            give(acquired, of: info.containerID)
            descriptor.close()
            throw StartError(message: "logship: cannot set up the stream: \(error)")
        }
        if let record {
            do {
                try state.save(file: file, request: record.json.serialized())
            } catch {
                log.warn("container=\(info.shortID) cannot record its stream for re-attaching after a restart: \(error)")
            }
        }
        let binding = StreamBinding(file: file, info: info, settings: settings, destinations: acquired, generation: generation, recorded: recorded)
        let follower = RouteFollower(routes: routes, binding: binding) { [weak self] binding, pipeline in
            self?.rebind(binding, pipeline)
        }
        let reader = StreamReader(file: file, containerID: info.containerID, descriptor: descriptor, pipeline: pipeline, routeFollower: follower,
                                  state: state, stop: stopSignal, peekPipes: peekPipes, counters: counters, log: log) { [weak self] reader, outcome in
            self?.readerEnded(reader, outcome)
        }
        lock.withLock { active[file] = .reading(reader: reader, stopRequested: false) }
        do {
            try spawnThread(name: "read \(info.shortID)") { reader.run() }
        } catch {
            lock.withLock { active[file] = .starting }
            give(acquired, of: info.containerID)
            descriptor.close()
            throw StartError(message: "logship: cannot start a reader thread: \(error)")
        }
        let lanes = acquired.compactMap { destination in destination.queue.counters(container: info.containerID).map { (destination.key, $0) } }
        containers.streamStarted(info, lanes: lanes, discarding: settings == nil)
        let targets = acquired.map { "\($0.key)" }.joined(separator: " ")
        log.info("container=\(info.shortID) name=\(info.name) \(how) file=\(file) destinations=\(settings == nil ? "none (discarding)" : targets)")
    }

    private func readerEnded(_ reader: StreamReader, _ outcome: StreamOutcome) {
        // A stopped stream is not over: its record stays for the next run. An ended
        // one's record goes first, so a stream that is no longer active has none left.
        if !outcome.stopped { state.remove(file: reader.file) }
        let entry = lock.withLock { () -> Entry? in
            defer { lock.broadcast() }
            return active.removeValue(forKey: reader.file)
        }
        let binding = reader.routeFollower.binding
        binding.countDiscarded(upTo: outcome.lines)
        counters.record(outcome, discardedLines: binding.discardedLines)
        if !outcome.stopped { containers.streamEnded(containerID: reader.containerID, discardedLines: binding.discardedLines) }
        var stopRequested = false
        if case let .reading(_, requested)? = entry {
            stopRequested = requested
            give(binding.destinations, of: reader.containerID)
        }
        let id = reader.containerID.prefix(12)
        var summary = "container=\(id) file=\(reader.file) \(outcome.stopped ? "stopped for the plugin's shutdown" : "ended") entries=\(outcome.entries) bytes=\(outcome.bytesRead) reads=\(outcome.reads)"
        if !outcome.stopped && !stopRequested { summary += " (EOF without StopLogging)" }
        if outcome.skippedBytes > 0 { summary += " skipped_bytes=\(outcome.skippedBytes)" }
        if binding.discardedLines > 0 { summary += " discarded_lines=\(binding.discardedLines)" }
        if outcome.skippedBytes > 0 || binding.discardedLines > 0 {
            log.error(summary)
        } else if outcome.truncatedBytes > 0 {
            log.warn("\(summary) incomplete_final_frame_bytes=\(outcome.truncatedBytes)")
        } else {
            log.info(summary)
        }
    }

    /// A stream stops using `used`: its container's lane in each (which the stream's
    /// outputs opened) and the destination itself.
    func give(_ used: [Destination], of containerID: String) {
        for destination in used {
            destination.closeLane(container: containerID)
            destinations.release(destination)
        }
    }

    /// Opens a FIFO without ever blocking: with O_NONBLOCK a FIFO whose writer is gone
    /// still opens, and the flag is cleared so reads then wait for data as usual. Its
    /// size is Docker's (64 KiB): every root process on the host shares one budget of
    /// pipe pages, and the reader needs no more than a frame at a time.
    private func openFIFO(_ file: String) throws(StartError) -> FileDescriptor {
        do {
            let descriptor = try FileDescriptor.open(file, [.readOnly, .nonBlocking])
            do {
                try descriptor.setNonBlocking(false)
            } catch {
                descriptor.close()
                throw error
            }
            return descriptor
        } catch {
            throw StartError(message: "logship: cannot open the log stream: \(error)")
        }
    }
}
