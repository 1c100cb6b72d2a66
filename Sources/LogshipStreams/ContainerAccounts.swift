import LogshipConfig
import LogshipDelivery
import LogshipDestinations
import LogshipSystem
import Synchronization

/// One container's counters for one destination, at one moment.
public struct ContainerDestinationCounts: Sendable, Equatable {
    public var destination: String
    public var framing: String
    /// Messages formatted for the destination (those the rate limit dropped included):
    /// each is sent, dropped, or still pending.
    public var received: Int
    public var sent: Int
    public var droppedByOverflow: Int
    public var droppedByRateLimit: Int
}

/// One container as the per-container metrics show it.
public struct ContainerSnapshot: Sendable, Equatable {
    public var name: String
    /// `{{.ID}}`: 12 hex characters.
    public var shortID: String
    public var running: Bool
    public var destinations: [ContainerDestinationCounts]
    /// Lines read and thrown away because the stream's settings did not resolve at all
    /// (a re-attached stream; see StreamRegistry), counted when its stream ended.
    public var discardedLines: Int
    /// Its stream is read and discarded now.
    public var discarding: Bool
    /// When it last lost a line to an overflow or its rate limit (monotonic; 0: never).
    public var lastDropAt: Int64
}

/// The containers the per-container metrics show: every container with a stream open,
/// and those whose last stream ended less than `retentionNanoseconds` ago, then
/// forgotten, so the number of series follows the containers running now, not every
/// container the host ever ran. A container's counters are its lanes' (`LaneCounters`),
/// which keep counting while its backlog is delivered after it ended.
public final class ContainerAccounts: Sendable {
    private final class Account {
        let shortID: String
        var name: String
        var openStreams = 0
        var endedAt: Int64 = 0
        /// Every lane the container had, per destination: a lane removed once delivered
        /// and made again by a restarted container adds its counts to the earlier ones.
        var lanes: [(key: DestinationKey, counters: LaneCounters)] = []
        var discardedLines = 0
        var discarding = false

        init(shortID: String, name: String) {
            self.shortID = shortID
            self.name = name
        }
    }

    public static let retentionNanoseconds: Int64 = 300_000_000_000
    private let retention: Int64
    private let accounts = Mutex<[String: Account]>([:])

    public init(retentionNanoseconds: Int64 = ContainerAccounts.retentionNanoseconds) {
        retention = retentionNanoseconds
    }

    /// A stream of the container started, writing to these lanes (none: it discards).
    func streamStarted(_ info: ContainerInfo, lanes: [(DestinationKey, LaneCounters)], discarding: Bool) {
        accounts.withLock { accounts in
            let account = accounts[info.containerID] ?? Account(shortID: info.shortID, name: info.name)
            accounts[info.containerID] = account
            account.name = info.name
            account.openStreams += 1
            account.discarding = discarding
            for (key, counters) in lanes where !account.lanes.contains(where: { $0.counters === counters }) {
                account.lanes.append((key, counters))
            }
        }
    }

    /// A stream of the container follows a route change: from now on it also writes to
    /// these lanes (the earlier ones keep counting what they still deliver).
    func streamRebound(containerID: String, lanes: [(DestinationKey, LaneCounters)], discarding: Bool) {
        accounts.withLock { accounts in
            guard let account = accounts[containerID] else { return }
            account.discarding = discarding
            for (key, counters) in lanes where !account.lanes.contains(where: { $0.counters === counters }) {
                account.lanes.append((key, counters))
            }
        }
    }

    /// A stream of the container ended (not stopped for the plugin's shutdown).
    func streamEnded(containerID: String, discardedLines: Int, now: Int64 = MonotonicClock.now()) {
        accounts.withLock { accounts in
            guard let account = accounts[containerID] else { return }
            account.openStreams = max(0, account.openStreams - 1)
            account.discardedLines += discardedLines
            if account.openStreams == 0 {
                account.endedAt = now
                account.discarding = false
            }
        }
    }

    /// The containers to show now, by name; those gone for longer than the retention
    /// are forgotten here.
    public func snapshot(now: Int64 = MonotonicClock.now()) -> [ContainerSnapshot] {
        accounts.withLock { accounts -> [ContainerSnapshot] in
            accounts = accounts.filter { $0.value.openStreams > 0 || now - $0.value.endedAt < retention }
            return accounts.values.map(Self.snapshot(of:))
        }.sorted { ($0.name, $0.shortID) < ($1.name, $1.shortID) }
    }

    /// The account's lanes summed per destination (lock held).
    private static func snapshot(of account: Account) -> ContainerSnapshot {
        var destinations: [ContainerDestinationCounts] = []
        var lastDrop: Int64 = 0
        for (key, counters) in account.lanes {
            let destination = key.addresses.description, framing = key.framing.rawValue
            var index = destinations.firstIndex { $0.destination == destination && $0.framing == framing }
            if index == nil {
                destinations.append(ContainerDestinationCounts(destination: destination, framing: framing, received: 0, sent: 0,
                                                               droppedByOverflow: 0, droppedByRateLimit: 0))
                index = destinations.count - 1
            }
            destinations[index!].received += counters.received.load(ordering: .relaxed)
            destinations[index!].sent += counters.sent.load(ordering: .relaxed)
            destinations[index!].droppedByOverflow += counters.droppedByOverflow.load(ordering: .relaxed)
            destinations[index!].droppedByRateLimit += counters.droppedByRateLimit.load(ordering: .relaxed)
            lastDrop = max(lastDrop, counters.lastDropAt.load(ordering: .relaxed))
        }
        return ContainerSnapshot(name: account.name, shortID: account.shortID, running: account.openStreams > 0,
                                 destinations: destinations, discardedLines: account.discardedLines,
                                 discarding: account.discarding, lastDropAt: lastDrop)
    }
}
