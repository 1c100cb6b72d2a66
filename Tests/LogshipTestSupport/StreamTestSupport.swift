import LogshipConfig
import LogshipDelivery
import LogshipDestinations
import LogshipStreams
import LogshipSystem

/// A log that shows only errors, for objects under test.
public let testLog = LogSink(minimumLevel: .error)

public func makeRegistry(environment: [String: String] = [:]) throws -> StreamRegistry {
    try StreamRegistry(resolver: OptionResolver(environment: environment, hostname: "testhost"),
                   destinations: DestinationRegistry(settings: memoryOnlyDelivery(queueBytes: 4 << 20), log: testLog), log: testLog)
}

public func containerInfo(_ options: [String: String]) -> ContainerInfo {
    ContainerInfo(config: options, containerID: String(repeating: "c0ffee", count: 10) + "abcd", containerName: "/app",
                  containerImageID: "sha256:" + String(repeating: "1", count: 64), containerImageName: "busybox")
}

/// Delivery settings with memory-only queues of `queueBytes`.
public func memoryOnlyDelivery(queueBytes: Int) -> DeliverySettings {
    var settings = DeliverySettings()
    settings.memoryBytes = queueBytes
    return settings
}
