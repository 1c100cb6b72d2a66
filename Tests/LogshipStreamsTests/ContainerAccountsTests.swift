import LogshipConfig
import LogshipDelivery
import LogshipDestinations
import LogshipTestSupport
import Testing
@testable import LogshipStreams

@Suite struct ContainerAccountsTests {
    private let key = DestinationKey(EndpointList(.tcp(host: "127.0.0.1", port: 9)), framing: .rawLines)

    private func info(_ id: String, _ name: String) -> ContainerInfo {
        ContainerInfo(containerID: id + String(repeating: "0", count: 64 - id.count), containerName: "/" + name)
    }

    /// A container's series stay while it runs and five minutes after its last stream
    /// ended, then go: the number of series follows the containers, not their history.
    @Test func seriesStayFiveMinutesAfterTheContainerEnds() {
        let accounts = ContainerAccounts()
        let counters = LaneCounters()
        counters.sent.store(7, ordering: .relaxed)
        accounts.streamStarted(info("abc", "web"), lanes: [(key, counters)], discarding: false)
        accounts.streamStarted(info("def", "db"), lanes: [], discarding: false)
        #expect(accounts.snapshot(now: 0).map(\.name) == ["db", "web"])
        accounts.streamEnded(containerID: info("abc", "web").containerID, discardedLines: 0, now: 1_000)
        let ended = accounts.snapshot(now: 1_000 + 299_000_000_000)
        #expect(ended.first { $0.name == "web" }?.running == false)
        #expect(ended.first { $0.name == "web" }?.destinations.first?.sent == 7)
        #expect(ended.first { $0.name == "web" }?.shortID == "abc000000000")
        #expect(accounts.snapshot(now: 1_000 + 300_000_000_000).map(\.name) == ["db"])
        // A running container never expires.
        #expect(accounts.snapshot(now: 10_000_000_000_000).map(\.name) == ["db"])
    }

    /// A container restarted with the same ID keeps counting where it was, even when its
    /// lane was removed meanwhile and made again (new counters): the snapshot adds them.
    @Test func aRestartedContainerAddsUp() {
        let accounts = ContainerAccounts()
        let first = LaneCounters(), second = LaneCounters()
        first.received.store(10, ordering: .relaxed)
        second.received.store(5, ordering: .relaxed)
        second.droppedByRateLimit.store(2, ordering: .relaxed)
        let web = info("abc", "web")
        accounts.streamStarted(web, lanes: [(key, first)], discarding: false)
        accounts.streamEnded(containerID: web.containerID, discardedLines: 0, now: 1)
        accounts.streamStarted(web, lanes: [(key, first)], discarding: false)
        accounts.streamStarted(web, lanes: [(key, second)], discarding: false)
        let snapshot = accounts.snapshot(now: 2)
        #expect(snapshot.count == 1)
        #expect(snapshot[0].destinations == [ContainerDestinationCounts(destination: "tcp://127.0.0.1:9", framing: "raw",
                                                                        received: 15, sent: 0, droppedByOverflow: 0, droppedByRateLimit: 2)])
    }

    @Test func aDiscardingStreamIsCountedWhenItEnds() {
        let accounts = ContainerAccounts()
        let lost = info("fff", "lost")
        accounts.streamStarted(lost, lanes: [], discarding: true)
        #expect(accounts.snapshot(now: 0).first?.discarding == true)
        accounts.streamEnded(containerID: lost.containerID, discardedLines: 42, now: 1)
        let ended = accounts.snapshot(now: 2).first
        #expect(ended?.discarding == false && ended?.discardedLines == 42)
    }
}
