// The LogshipPlugin module: the Docker log-driver plugin protocol and the metrics and
// health endpoints, wired to the stream and destination registries.

import LogshipStreams
import LogshipHTTP
import LogshipConfig
import LogshipDelivery
import LogshipDestinations
import LogshipSystem

/// The running plugin: HTTP endpoints, streams and destinations, wired together.
public final class PluginServer: @unchecked Sendable {
    public let streams: StreamRegistry
    public let destinations: DestinationRegistry
    /// The routes in force (from `CONFIG_DIR/routes.conf`), kept current by `routesWatcher`.
    public let routes: RouteTableStore
    private let routesWatcher: RoutesWatcher
    private let http: HTTPServer
    private let metrics: HTTPServer?
    private let log: LogSink

    public init(settings: PluginSettings, resolver: OptionResolver, log: LogSink) throws {
        self.log = log
        var delivery = settings.delivery
        delivery.spoolRoot = settings.spoolRequested ? PluginServer.usableDirectory(settings.spoolDirectory, "spool", log) : nil
        destinations = DestinationRegistry(settings: delivery, log: log)
        // Loaded before any stream starts or is re-attached, so that they resolve against it.
        routesWatcher = try RoutesWatcher(resolver: resolver, log: log)
        routes = routesWatcher.store
        streams = try StreamRegistry(resolver: resolver, destinations: destinations, routes: routes,
                                     stateDirectory: settings.streamsDirectory, log: log)
        let api = PluginAPI(streams: streams, log: log)
        http = HTTPServer(socket: try Socket.listenUnix(path: settings.socketPath), log: { [log] in log.info($0) }, handler: { api.handle($0) })
        if let address = settings.metricsAddress {
            let endpoint = MetricsEndpoint(streams: streams, destinations: destinations, routes: routes)
            let socket = try Socket.listenTCP(host: address.host, port: address.port)
            metrics = HTTPServer(socket: socket, limits: .metrics, log: { [log] in log.debug($0) }, handler: { endpoint.handle($0) })
        } else {
            metrics = nil
        }
    }

    /// Starts answering the daemon, delivers what an earlier run left in the spools
    /// (opened in the background) and re-opens the streams it was reading.
    public func start() throws {
        // The plugin's own descriptors and threads first: re-attaching may run out of
        // descriptors (it is then retried), but the plugin must still start and answer.
        try http.start()
        try metrics?.start()
        try routesWatcher.start()
        destinations.recoverSpools()
        streams.reattachSavedStreams()
    }

    /// Plugin disable or upgrade (SIGTERM): stop taking requests, let the queues
    /// deliver what they can within `gracePeriod`, then return; what is left stays in
    /// the spools for the next start. Docker kills the plugin 10 s after SIGTERM, so
    /// the grace period must stay below that.
    public func shutdown(gracePeriodNanoseconds: Int64) {
        let deadline = MonotonicClock.now() + gracePeriodNanoseconds
        http.stop()
        routesWatcher.stop()
        let open = streams.activeCount
        // Readers first: a reader stops between reads, and what it has not consumed
        // stays in Docker's FIFO for the next run, so stopping one loses nothing. Only
        // then can the queues close without a reader still feeding them.
        var running = streams.stopReaders(until: MonotonicClock.now() + 500_000_000)
        if running > 0 {
            // Blocked handing a batch to a full queue (QUEUE_OVERFLOW=block): refused now,
            // they leave that batch in the FIFO.
            destinations.stopAccepting()
            running = streams.stopReaders(until: MonotonicClock.now() + 1_000_000_000)
        }
        if open > 0 {
            log.info("shutting down with \(open) log streams open; they are re-attached at the next start")
        }
        if running > 0 {
            log.error("\(running) stream readers did not stop; their last read may be delivered twice after the restart")
        }
        destinations.stopAccepting()
        for stats in destinations.shutdown(deadline: deadline) where stats.queue.pendingMessages > 0 {
            let kept = stats.queue.spoolBytes > 0 ? "kept in the spool for the next start" : "lost (no spool)"
            log.warn("destination=\(stats.destination) framing=\(stats.framing) \(stats.queue.pendingMessages) messages not delivered before shutdown: \(kept)")
        }
        metrics?.stop()
    }

    /// `path` if it can be created and written; otherwise nil, with the reason logged.
    private static func usableDirectory(_ path: String, _ what: String, _ log: LogSink) -> String? {
        do {
            try FileSystem.makeDirectory(path)
            try FileSystem.writeAtomically(path + "/.probe", [])
            FileSystem.remove(path + "/.probe")
            return path
        } catch {
            log.error("no \(what) in \(path) (\(error)): queues are kept in memory only")
            return nil
        }
    }
}
