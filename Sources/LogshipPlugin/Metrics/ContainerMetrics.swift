import LogshipJSON
import LogshipStreams
import LogshipSystem

/// The per-container part of `/metrics` and `/health`: what each container sent and
/// lost, per destination, for the containers running now and those that ended in the
/// last five minutes (`ContainerAccounts`).
enum ContainerMetrics {
    /// A container that lost a line this recently is listed in `/health` as losing lines.
    static let losingNanoseconds: Int64 = 60_000_000_000

    static func write(_ containers: [ContainerSnapshot], to out: inout PrometheusText) {
        func perDestination(_ name: String, _ help: String, _ value: (ContainerDestinationCounts) -> Int) {
            out.family(name, .counter, help, containers.flatMap { container in
                container.destinations.map { (labels: labels(container, $0), value: value($0)) }
            })
        }
        perDestination("logship_container_received_messages_total",
                       "Messages of the container formatted for the destination, those its rate limit dropped included.") { $0.received }
        perDestination("logship_container_sent_messages_total",
                       "Messages of the container written to the destination (drop notices not counted).") { $0.sent }
        var drops: [(labels: [(String, String)], value: Int)] = []
        for container in containers {
            for counts in container.destinations {
                drops.append((labels(container, counts) + [("reason", "overflow")], counts.droppedByOverflow))
                drops.append((labels(container, counts) + [("reason", "rate_limit")], counts.droppedByRateLimit))
            }
            if container.discarding || container.discardedLines > 0 {
                drops.append(([("container_name", container.name), ("container_id", container.shortID), ("destination", ""),
                               ("framing", ""), ("reason", "no_settings")], container.discardedLines))
            }
        }
        out.family("logship_container_dropped_messages_total", .counter,
                   "Messages of the container dropped: reason=overflow, the destination's queue was full and the container held the largest share of it; rate_limit, beyond its rate-limit; no_settings, lines of a re-attached stream whose settings no longer resolve (counted when it ends).",
                   drops)
    }

    private static func labels(_ container: ContainerSnapshot, _ counts: ContainerDestinationCounts) -> [(String, String)] {
        [("container_name", container.name), ("container_id", container.shortID),
         ("destination", counts.destination), ("framing", counts.framing)]
    }

    /// The containers that lost lines in the last minute, or whose stream is discarded.
    static func losingLines(_ containers: [ContainerSnapshot], now: Int64 = MonotonicClock.now()) -> [JSONValue] {
        containers.filter { $0.discarding || ($0.lastDropAt > 0 && now - $0.lastDropAt < losingNanoseconds) }.map { container in
            .object([
                "container_name": .string(container.name),
                "container_id": .string(container.shortID),
                "running": .bool(container.running),
                "dropped_by_overflow": .number(String(container.destinations.reduce(0) { $0 + $1.droppedByOverflow })),
                "dropped_by_rate_limit": .number(String(container.destinations.reduce(0) { $0 + $1.droppedByRateLimit })),
                "discarding": .bool(container.discarding),
                "last_drop_seconds_ago": container.lastDropAt > 0 ? .number(String((now - container.lastDropAt) / 1_000_000_000)) : .null,
            ])
        }
    }
}
