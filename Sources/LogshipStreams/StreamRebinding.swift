import LogshipConfig
import LogshipDelivery
import LogshipSystem

/// A stream's check for route changes, made by its reader between reads: one atomic
/// load while nothing changes, so idle streams cost nothing and busy ones next to nothing.
/// When the route table has moved to a newer generation, the stream is bound again
/// (`StreamRegistry.rebind`) before the read's lines go anywhere.
final class RouteFollower: @unchecked Sendable {
    private let routes: RouteTableStore
    let binding: StreamBinding
    private let rebind: (StreamBinding, StreamPipeline) -> Void

    init(routes: RouteTableStore, binding: StreamBinding, rebind: @escaping (StreamBinding, StreamPipeline) -> Void) {
        self.routes = routes
        self.binding = binding
        self.rebind = rebind
    }

    @inline(__always)
    func follow(_ pipeline: StreamPipeline) {
        if routes.generation != binding.generation { rebind(binding, pipeline) }
    }
}

extension StreamRegistry {
    /// Resolves the stream's options against the routes in force and, if that gives other
    /// settings, sends its lines from the next one on to the destinations they name: the
    /// lines formatted so far are handed to the old destinations' queues (and delivered
    /// there, however long that takes), the lines in progress carry over, and the old
    /// destinations are released (each retires once no stream uses it and its queue is
    /// empty). Runs on the stream's reader thread between two reads, so no line is lost
    /// or sent twice, and the container never waits.
    ///
    /// Options that no longer resolve (the route was removed, a certificate file is
    /// missing) leave the stream as it is, logged; a failure that may pass (no thread for
    /// a new destination) is tried again a second later.
    func rebind(_ binding: StreamBinding, _ pipeline: StreamPipeline) {
        let now = MonotonicClock.now()
        guard now >= binding.retryAfter else { return }
        let (table, generation) = routes.current
        let id = binding.info.shortID
        let settings: StreamSettings
        do {
            settings = try resolver.resolve(binding.info, routes: table, previous: binding.settings?.resolved)
            try settings.checkTLSFiles()
        } catch {
            binding.generation = generation
            let keeps = binding.settings == nil ? "goes on discarding its lines" : "keeps its destinations"
            log.warn("container=\(id) \(keeps): its options do not resolve with the routes of generation \(generation) (\(error))")
            return
        }
        guard settings != binding.settings else {
            binding.generation = generation
            return
        }
        var acquired: [Destination] = []
        let outputs: [DestinationOutput]
        do {
            outputs = try StreamPipeline.outputs(for: settings) { key in
                let destination = try destinations.acquire(key)
                acquired.append(destination)
                return destination
            }
        } catch {
            give(acquired, of: binding.info.containerID)
            binding.retryAfter = now + 1_000_000_000
            log.error("container=\(id) cannot follow the routes of generation \(generation) yet (\(error)); keeps its destinations, retrying")
            return
        }
        let followed: Bool
        do {
            followed = try pipeline.follow(settings, outputs: outputs)
        } catch {
            give(acquired, of: binding.info.containerID)
            binding.generation = generation
            log.warn("container=\(id) keeps its destinations and multi-line rule: the routes of generation \(generation) give it a rule that does not compile (\(error))")
            return
        }
        guard followed else {
            // The plugin is stopping: the reader ends after this read, and the next run
            // resolves the stream against the routes then in force.
            give(acquired, of: binding.info.containerID)
            return
        }
        binding.generation = generation
        binding.retryAfter = 0
        give(binding.rebind(to: settings, destinations: acquired, atLine: pipeline.lines), of: binding.info.containerID)
        let lanes = acquired.compactMap { destination in destination.queue.counters(container: binding.info.containerID).map { (destination.key, $0) } }
        containers.streamRebound(containerID: binding.info.containerID, lanes: lanes, discarding: false)
        if binding.recorded {
            do {
                try state.save(file: binding.file, request: StreamRecord(file: binding.file, info: binding.info, settings: settings).json.serialized())
            } catch {
                log.warn("container=\(id) cannot record its new settings for re-attaching after a restart: \(error)")
            }
        }
        let targets = acquired.map { "\($0.key)" }.joined(separator: " ")
        log.info("container=\(id) follows the routes of generation \(generation) from its next line: destinations=\(targets)")
    }
}
