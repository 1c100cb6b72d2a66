import LogshipConfig
import LogshipSystem

/// Keeps the routes in force in step with `routes.conf`: a thread of its own waits on
/// inotify for changes in the configuration directory (an editor's write-rename and a
/// configuration tool's atomic replace both show there at once), with a stat of the
/// directory and the file every few seconds for what inotify cannot see (a directory
/// that appears later, a mount replaced underneath, a network filesystem). Each change
/// is loaded and checked completely; a valid file becomes the next generation, an
/// invalid one leaves the generation in force as it is, logged and counted.
public final class RoutesWatcher: Sendable {
    private let loader: RouteTableLoader
    /// The routes in force, for the streams and the metrics.
    public let store: RouteTableStore
    private let log: LogSink
    private let stopSignal: StopSignal
    private let directory: String

    /// How often the directory and the file are stat'ed besides inotify.
    static let periodicCheckNanoseconds: Int64 = 5_000_000_000
    /// Events are gathered until the directory has been quiet this long, so that the steps
    /// of one replace (rename away, create, write, close) are loaded once, as a whole.
    static let settleNanoseconds: Int64 = 100_000_000
    static let maximumSettleNanoseconds: Int64 = 1_000_000_000
    /// A routes file that disappears must stay away this long before its routes go: an
    /// editor that renames the old file away and then writes the new one leaves a moment
    /// with no file, and streams must not be sent elsewhere for that moment.
    static let absenceNanoseconds: Int64 = 1_000_000_000

    /// Watches the resolver's configuration directory. Loads the routes to start with (generation 1): the file's, or, when it is invalid,
    /// none at all, with a table that refuses every container that would take a route
    /// (there is no earlier table to keep, and such a container must not quietly go
    /// somewhere else). Watching starts with `start()`.
    public init(resolver: OptionResolver, log: LogSink) throws {
        directory = resolver.configDirectory
        self.log = log
        loader = RouteTableLoader(resolver: resolver)
        store = RouteTableStore(file: loader.path, initial: Self.initialTable(loader, log: log))
        stopSignal = try StopSignal()
    }

    private static func initialTable(_ loader: RouteTableLoader, log: LogSink) -> RouteTable {
        do {
            let table = try loader.load()
            if table.file == nil {
                log.info("routes: no \(loader.path); no routes until it is written")
            } else {
                log.info("routes: \(describe(table)) from \(loader.path)")
            }
            return table
        } catch {
            log.error("\(error.message); containers that take a route are refused until it is fixed")
            return .refusing(error.message, file: loader.path)
        }
    }

    public func start() throws {
        try spawnThread(name: "routes watcher") { [self] in run() }
    }

    /// Ends the thread (at shutdown).
    public func stop() {
        stopSignal.trigger()
    }

    private func run() {
        var watch = openWatch(reportingFailure: true)
        var seen = stamp()
        while !stopSignal.isTriggered {
            var changed = false
            // The stat check runs when a wait ends without an event, so that a file inotify
            // reported as still being written is not loaded half-way through.
            var periodic = false
            if let active = watch {
                let ready: [Bool]?
                do {
                    ready = try FileDescriptor.wait([(active.descriptor, .readable), (stopSignal.descriptor, .readable)],
                                                    until: MonotonicClock.now() + Self.periodicCheckNanoseconds)
                } catch {
                    log.error("routes: waiting for changes in \(directory) failed (\(error)); checking every \(Self.periodicCheckNanoseconds / 1_000_000_000) s instead")
                    active.close()
                    watch = nil
                    continue
                }
                if stopSignal.isTriggered { break }
                if ready?[0] == true {
                    let (relevant, gone) = settle(active)
                    changed = relevant
                    if gone {
                        active.close()
                        watch = nil
                    }
                } else {
                    periodic = true
                }
            } else if stopSignal.wait(nanoseconds: Self.periodicCheckNanoseconds) {
                break
            } else {
                periodic = true
            }
            if watch == nil, let reopened = openWatch(reportingFailure: false) {
                watch = reopened
                changed = true
            }
            if periodic && stamp() != seen { changed = true }
            guard changed else { continue }
            seen = stamp()
            reload()
        }
        watch?.close()
    }

    /// Drains events until the directory has been quiet for a moment. `relevant` is false
    /// when the only news is a regular file that was created and is still being written
    /// (its close comes as an event of its own).
    private func settle(_ watch: DirectoryWatch) -> (relevant: Bool, gone: Bool) {
        var events: [DirectoryWatch.Event] = []
        let giveUp = MonotonicClock.now() + Self.maximumSettleNanoseconds
        repeat {
            do {
                events += try watch.drain()
            } catch {
                log.error("routes: reading the changes in \(directory) failed (\(error)); watching again")
                return (true, true)
            }
            let quietUntil = min(MonotonicClock.now() + Self.settleNanoseconds, giveUp)
            let more = try? FileDescriptor.wait([(watch.descriptor, .readable), (stopSignal.descriptor, .readable)], until: quietUntil)
            if more == nil || stopSignal.isTriggered { break }
        } while MonotonicClock.now() < giveUp
        let gone = events.contains { $0.kind == .directoryGone }
        let relevant = gone || events.contains { event in
            event.kind != .created || !FileSystem.isRegularFile(directory + "/" + event.name)
        }
        return (relevant, gone)
    }

    private func reload() {
        let (current, generation) = store.current
        do {
            var table = try loader.load()
            if table.file == nil && current.file != nil {
                if stopSignal.wait(nanoseconds: Self.absenceNanoseconds) { return }
                table = try loader.load()
            }
            if table.hasSameRoutes(as: current) {
                store.confirm()
                log.debug("routes: \(loader.path) read again, unchanged")
                return
            }
            let next = store.publish(table)
            let what = table.file == nil ? "no \(loader.path): no routes" : "\(Self.describe(table)) from \(loader.path)"
            log.info("routes: \(what), in force as generation \(next); running streams follow from their next line")
        } catch {
            store.recordFailure(error.message)
            log.error("\(error.message); the routes of generation \(generation) stay in force")
        }
    }

    private func openWatch(reportingFailure: Bool) -> DirectoryWatch? {
        do {
            return try DirectoryWatch(directory: directory)
        } catch {
            if reportingFailure {
                log.info("routes: cannot watch \(directory) (\(error)); looking for it every \(Self.periodicCheckNanoseconds / 1_000_000_000) s")
            }
            return nil
        }
    }

    /// What the periodic check compares: which directory and which file the paths name
    /// now, and when each last changed.
    private func stamp() -> [FileStatus?] {
        [FileSystem.status(directory), FileSystem.status(loader.path)]
    }

    private static func describe(_ table: RouteTable) -> String {
        table.routes.isEmpty ? "no routes" : "routes \(table.names.joined(separator: ", "))"
    }
}
