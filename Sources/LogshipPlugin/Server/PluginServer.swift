import LogshipConfig
import LogshipDelivery
import LogshipSystem

/// The running plugin: HTTP endpoints, streams and destinations, wired together.
public final class PluginServer: @unchecked Sendable {
    public let streams: StreamRegistry
    public let destinations: DestinationRegistry
    private let http: HTTPServer
    private let log: LogSink

    public init(settings: PluginSettings, resolver: OptionResolver, log: LogSink) throws {
        self.log = log
        destinations = DestinationRegistry(queueCapacityBytes: settings.queueBytes, log: log)
        streams = StreamRegistry(resolver: resolver, destinations: destinations, log: log)
        let api = PluginAPI(streams: streams, log: log)
        let socket = try Socket.listenUnix(path: settings.socketPath)
        http = HTTPServer(socket: socket, log: { [log] in log.info($0) }, handler: { api.handle($0) })
    }

    public func start() throws {
        try http.start()
    }

    /// Plugin disable or upgrade (SIGTERM): stop taking requests, let the streams and
    /// queues deliver what they can within `gracePeriod`, then return. Docker kills
    /// the plugin 10 s after SIGTERM, so the grace period must stay below that.
    public func shutdown(gracePeriodNanoseconds: Int64) {
        let deadline = MonotonicClock.now() + gracePeriodNanoseconds
        http.stop()
        let open = streams.activeCount
        if open > 0 {
            log.warn("shutting down with \(open) log streams still open; their unread lines stay in Docker's pipes")
        }
        destinations.shutdown(deadline: deadline)
        for stats in destinations.allStats where stats.queue.queuedMessages > 0 {
            log.error("destination=\(stats.endpoint) \(stats.queue.queuedMessages) messages could not be delivered before shutdown")
        }
    }
}
