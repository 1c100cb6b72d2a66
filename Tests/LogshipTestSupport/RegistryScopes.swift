import LogshipConfig
import LogshipDelivery
import LogshipDestinations
import LogshipStreams
import LogshipSystem

/// How long a test's registries get at its end to deliver what is left: what a test
/// needed delivered it has waited for already, so this only bounds a shutdown whose
/// receiver is down or gone.
private let teardownGraceNanoseconds: Int64 = 500_000_000

/// Runs `body` with a fresh destination registry and always shuts it down after, so no
/// sender thread outlives its test (and goes on dialling a port a later test is given).
public func withDestinationRegistry<R>(queueCapacityBytes: Int = 1 << 20, log: LogSink = testLog,
                                       _ body: (DestinationRegistry) throws -> R) rethrows -> R {
    let destinations = DestinationRegistry(settings: memoryOnlyDelivery(queueBytes: queueCapacityBytes), log: log)
    defer { destinations.shutdown(deadline: MonotonicClock.now() + teardownGraceNanoseconds) }
    return try body(destinations)
}

/// A stream registry and the destination registry it feeds, as the plugin makes them,
/// shut down together the way the plugin stops: readers first, then senders.
public final class TestStreams: Sendable {
    public let streams: StreamRegistry
    public let destinations: DestinationRegistry

    /// - Parameter routes: the routes in force, which a test may publish new generations to.
    public init(environment: [String: String] = [:], stateDirectory: String? = nil, routes: RouteTableStore = RouteTableStore(),
                log: LogSink = testLog) throws {
        destinations = DestinationRegistry(settings: memoryOnlyDelivery(queueBytes: 4 << 20), log: log)
        streams = try StreamRegistry(resolver: OptionResolver(environment: environment, hostname: "testhost"),
                                     destinations: destinations, routes: routes, stateDirectory: stateDirectory, log: log)
    }

    public func shutDown() {
        streams.stopReaders(until: MonotonicClock.now() + teardownGraceNanoseconds)
        destinations.stopAccepting()
        destinations.shutdown(deadline: MonotonicClock.now() + teardownGraceNanoseconds)
    }
}

/// Runs `body` with a fresh stream registry and always shuts it down after, so no
/// reader or sender thread outlives its test.
public func withStreamRegistry<R>(environment: [String: String] = [:], stateDirectory: String? = nil,
                                  _ body: (StreamRegistry) throws -> R) throws -> R {
    let registries = try TestStreams(environment: environment, stateDirectory: stateDirectory)
    defer { registries.shutDown() }
    return try body(registries.streams)
}

/// Delivery settings with memory-only queues of `queueBytes`.
public func memoryOnlyDelivery(queueBytes: Int) -> DeliverySettings {
    var settings = DeliverySettings()
    settings.memoryBytes = queueBytes
    return settings
}
