import Glibc
import LogshipDestinations
import LogshipSystem
import LogshipTestSupport
import Synchronization
import Testing
@testable import LogshipDelivery

/// Writes notices as plain messages, so tests can read them among the others.
private final class PlainNotices: DropNoticeWriter, @unchecked Sendable {
    func append(notice text: String, to batch: inout MessageBatch) {
        batch.bytes.append(contentsOf: text.utf8)
        batch.endMessage()
    }
}

/// A container writing numbered messages into its lane: "<name> <number> <padding>".
private struct Producer {
    let name: String
    let lane: LaneHandle
    let padding: String
    var next = 0

    init(_ queue: DeliveryQueue, _ name: String, messageBytes: Int) {
        self.name = name
        lane = queue.openLane(container: name, notices: PlainNotices(), rateLimit: nil)
        padding = String(repeating: "p", count: max(0, messageBytes - name.count - 8))
    }

    mutating func enqueue(_ queue: DeliveryQueue, messages: Int) {
        var texts: [String] = []
        for _ in 0..<messages {
            texts.append("\(name) \(next) \(padding)")
            next += 1
        }
        var b = batch(texts)
        queue.enqueue(&b, lane: lane)
    }
}

private func numbers(of name: String, in out: [String]) -> [Int] {
    out.compactMap { message in
        let parts = message.split(separator: " ")
        return parts.count >= 2 && parts[0] == name ? Int(parts[1]) : nil
    }
}

private func noticeCounts(_ out: [String]) -> [Int] {
    out.filter { $0.hasPrefix("logship: ") }.map { Int($0.split(separator: " ")[1])! }
}

@Suite struct FairShareTests {
    /// The memory queue is full of a flooder's messages, with a quiet container's few
    /// among them (first before the flood, then interleaved with it): the flooder loses
    /// its own oldest, the quiet container nothing, and what survives comes out in the
    /// order it was enqueued.
    @Test(arguments: [false, true]) func aFloodCostsTheFlooderNotTheQuietContainer(spooled: Bool) throws {
        let directory = temporaryDirectory("fair\(spooled)")
        defer { removeTree(directory) }
        let spool = spooled ? SpoolConfiguration(directory: directory, maxBytes: 1 << 20, segmentBytes: 64 * 1024) : nil
        let queue = DeliveryQueue(memoryBudget: spooled ? 64 * 1024 : 256 * 1024, spool: spool)
        var quiet = Producer(queue, "quiet", messageBytes: 60)
        var flooder = Producer(queue, "flooder", messageBytes: 1000)
        for _ in 0..<50 { quiet.enqueue(queue, messages: 10) }
        for round in 0..<2000 {
            flooder.enqueue(queue, messages: 5)
            if round % 40 == 0 { quiet.enqueue(queue, messages: 10) }
        }
        let dropped = queue.currentStats.droppedMessages
        #expect(dropped > 5000, "the flood must overflow the queue for this test to mean anything")
        #expect(quiet.lane.counters.droppedByOverflow.load(ordering: .relaxed) == 0)
        #expect(flooder.lane.counters.droppedByOverflow.load(ordering: .relaxed) == dropped)

        let out = drain(queue).filter { !$0.hasPrefix("logship: ") }
        #expect(numbers(of: "quiet", in: out) == Array(0..<quiet.next))
        let flooded = numbers(of: "flooder", in: out)
        #expect(flooded == flooded.sorted())
        #expect(flooded.count + dropped == flooder.next)
        // Survivors in the order they were enqueued: the quiet container's last ten came
        // after flooder message 9,800 and before 9,805.
        let lastQuiet = try #require(out.firstIndex { $0.hasPrefix("quiet \(quiet.next - 10) ") })
        #expect(out[..<lastQuiet].allSatisfy { !$0.hasPrefix("flooder ") || Int($0.split(separator: " ")[1])! < 9805 })
        #expect(quiet.lane.counters.sent.load(ordering: .relaxed) == quiet.next)
        #expect(queue.isEmpty)
    }

    /// The fair share is capacity / containers: a container that stays under it keeps
    /// every line even when three others flood, each of them losing only its own.
    @Test func underItsShareAContainerLosesNothingAmongSeveralFlooders() throws {
        let queue = DeliveryQueue(memoryBudget: 512 * 1024, spool: nil)
        var quiet = Producer(queue, "quiet", messageBytes: 500)
        var flooders = (0..<3).map { Producer(queue, "flood\($0)", messageBytes: 800) }
        for round in 0..<3000 {
            flooders[round % 3].enqueue(queue, messages: 2)
            // 200 messages of 500 bytes: 100 KB, under a quarter of 512 KiB.
            if round % 15 == 0 { quiet.enqueue(queue, messages: 1) }
        }
        let out = drain(queue)
        #expect(numbers(of: "quiet", in: out) == Array(0..<quiet.next))
        for flooder in flooders {
            let got = numbers(of: flooder.name, in: out)
            #expect(got.count + flooder.lane.counters.droppedByOverflow.load(ordering: .relaxed) == flooder.next)
        }
    }

    /// Each container's lane is a directory of its own in the destination's spool, so a
    /// restart brings every container's messages back, each in order, and a lane that
    /// has delivered everything and whose container ended is removed.
    @Test func lanesSurviveARestartAndGoOnceDelivered() throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        let spool = SpoolConfiguration(directory: directory, maxBytes: 64 << 20)
        do {
            let queue = DeliveryQueue(memoryBudget: 1 << 20, spool: spool)
            var a = Producer(queue, "a", messageBytes: 40)
            var b = Producer(queue, "b", messageBytes: 40)
            for _ in 0..<20 {
                a.enqueue(queue, messages: 3)
                b.enqueue(queue, messages: 2)
            }
            var taken = MessageBatch()
            #expect(queue.dequeue(into: &taken, deadline: 0))
            queue.acknowledge(messages: 7)  // a0-a2, b0-b1, and a3-a4 of a's second record
            queue.close()
        }
        #expect(Set(try FileSystem.listDirectory(directory).filter { $0.hasPrefix("lane-") }) == ["lane-a", "lane-b"])
        let again = DeliveryQueue(memoryBudget: 1 << 20, spool: spool)
        #expect(again.currentStats.pendingMessages == 100 - 7)
        let counters = try #require(again.counters(container: "a"))
        let out = drain(again)
        #expect(numbers(of: "a", in: out) == Array(5..<60))
        #expect(numbers(of: "b", in: out) == Array(2..<40))
        #expect(counters.sent.load(ordering: .relaxed) == 55)
        // Their containers are not running: once delivered, the lanes go.
        #expect(try FileSystem.listDirectory(directory).filter { $0.hasPrefix("lane-") }.isEmpty)
    }

    /// A lane whose spool cannot be opened at first (a restarted plugin out of
    /// descriptors) takes its container's messages into memory meanwhile; when the spool
    /// opens, the earlier run's undelivered messages it holds are delivered too, and
    /// none of either is lost or left behind (the sender used to jump past the recovered
    /// records after the memory-only ones, and the lane's last records then never left).
    @Test func aLaneWhoseSpoolOpensLateDeliversBothTheEarlierRunsAndTheNewMessages() throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        let spool = spoolOfAnEarlierRun(directory, delivered: false)
        let (queue, producer, showLane) = reopenWithLaneOutOfReach(directory, spool)
        var a = producer
        #expect(queue.currentStats.spooledMessages == 0)
        // The disk is back: the next batch opens the spool, with the first run's 50 in it.
        showLane()
        for _ in 0..<4 { a.enqueue(queue, messages: 5) }
        #expect(queue.currentStats.pendingMessages == 50 + 40)
        let out = drain(queue)
        #expect(Set(numbers(of: "a", in: out)) == Set(0..<90))
        #expect(numbers(of: "a", in: out).count == 90)
        #expect(queue.isEmpty)
        queue.close()
    }

    /// The same when the earlier run had delivered everything and the sender has taken
    /// the memory-only records before the spool opens: the delivered records on disk
    /// are not sent again, and the lane's later records are not left behind.
    @Test func aLaneWhoseSpoolOpensLateAfterItsMemoryOnlyRecordsWentOutSendsNothingTwice() throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        let spool = spoolOfAnEarlierRun(directory, delivered: true)
        let (queue, producer, showLane) = reopenWithLaneOutOfReach(directory, spool)
        var a = producer
        var out = drain(queue)
        showLane()
        for _ in 0..<4 { a.enqueue(queue, messages: 5) }
        #expect(queue.currentStats.spooledMessages == 20)
        out += drain(queue)
        #expect(numbers(of: "a", in: out) == Array(50..<90))
        #expect(queue.isEmpty)
        queue.close()
    }

    /// QUEUE_OVERFLOW=block holds up only the container over its share: the quiet one
    /// goes on writing while the flooder waits for the destination.
    @Test func blockHoldsUpOnlyTheContainerOverItsShare() throws {
        let queue = DeliveryQueue(memoryBudget: 128 * 1024, spool: nil, overflow: .block)
        let flooder = Producer(queue, "flooder", messageBytes: 1000)
        let quiet = Producer(queue, "quiet", messageBytes: 100)
        let flooderWritten = Atomic<Int>(0)
        try spawnThread(name: "flooder") {
            var producer = flooder
            for _ in 0..<300 {
                producer.enqueue(queue, messages: 1)
                flooderWritten.add(1, ordering: .relaxed)
            }
        }
        #expect(waitUntil { flooderWritten.load(ordering: .relaxed) > 60 })
        #expect(holdsThroughout(seconds: 0.1) { flooderWritten.load(ordering: .relaxed) < 300 })
        let stuckAt = flooderWritten.load(ordering: .relaxed)
        // The queue is full, and the quiet container (far under its half) is not held up.
        let quietDone = Atomic<Bool>(false)
        try spawnThread(name: "quiet") {
            var producer = quiet
            for _ in 0..<100 { producer.enqueue(queue, messages: 1) }
            quietDone.store(true, ordering: .releasing)
        }
        #expect(waitUntil { quietDone.load(ordering: .acquiring) })
        #expect(flooderWritten.load(ordering: .relaxed) == stuckAt)
        // The destination comes back: the flooder finishes, and nothing was dropped.
        var out: [String] = []
        #expect(waitUntil {
            out += drain(queue)
            return flooderWritten.load(ordering: .relaxed) == 300 && queue.isEmpty
        })
        #expect(numbers(of: "flooder", in: out) == Array(0..<300))
        #expect(numbers(of: "quiet", in: out) == Array(0..<100))
        #expect(queue.currentStats.droppedMessages == 0)
    }

    /// Drops are told in the container's own lane, at most once per interval, with the
    /// exact count: overflow and rate-limit drops alike.
    @Test func dropNoticesTellTheExactCountAtMostOncePerInterval() throws {
        let queue = DeliveryQueue(memoryBudget: 64 * 1024, spool: nil, noticeIntervalNanoseconds: 200_000_000)
        var flooder = Producer(queue, "flooder", messageBytes: 1000)
        let limited = queue.openLane(container: "limited", notices: PlainNotices(), rateLimit: "rate-limit=7")
        var none = MessageBatch()
        queue.enqueue(&none, lane: limited, rateLimited: 40)
        for _ in 0..<200 { flooder.enqueue(queue, messages: 1) }
        var out = drain(queue)
        #expect(noticeCounts(out).isEmpty, "no notice before the interval has passed")
        sleep(nanoseconds: 250_000_000)
        out += drain(queue)
        let overflow = flooder.lane.counters.droppedByOverflow.load(ordering: .relaxed)
        #expect(out.filter { $0.hasPrefix("logship: ") } == [
            "logship: 40 messages of this container dropped by rate-limit=7 in the last 1 s",
            "logship: \(overflow) messages of this container dropped because the destination's queue was full and this container held the largest share of it in the last 1 s",
        ])
        // A drop after a notice opens the next window: told one interval later, not at once.
        queue.enqueue(&none, lane: limited, rateLimited: 2)
        out += drain(queue)
        #expect(noticeCounts(out) == [40, overflow])
        #expect(waitUntil {
            out += drain(queue)
            return noticeCounts(out) == [40, overflow, 2]
        })
        #expect(limited.counters.droppedByRateLimit.load(ordering: .relaxed) == 42)
        #expect(limited.counters.received.load(ordering: .relaxed) == 42)
        #expect(queue.isDone)
    }

    @Test func laneDirectoryNamesRoundTrip() {
        for key in ["", "0a1b2c3d4e5f" + String(repeating: "9", count: 52), "a/b", "../x", "~", "é"] where !key.isEmpty {
            let name = LaneDirectory.name(for: key)
            #expect(!name.contains("/") && name.hasPrefix("lane-"))
            #expect(LaneDirectory.key(ofName: name) == key)
        }
        #expect(LaneDirectory.key(ofName: "lane-~zz") == nil)
        #expect(LaneDirectory.key(ofName: "0000000000000001.seg") == nil)
    }
}

/// The spool in `directory` as an earlier run left it: lane "a" took messages 0..<50, all
/// delivered or none.
private func spoolOfAnEarlierRun(_ directory: String, delivered: Bool) -> SpoolConfiguration {
    let spool = SpoolConfiguration(directory: directory, maxBytes: 64 << 20)
    let queue = DeliveryQueue(memoryBudget: 1 << 20, spool: spool)
    var a = Producer(queue, "a", messageBytes: 40)
    for _ in 0..<10 { a.enqueue(queue, messages: 5) }
    if delivered { #expect(numbers(of: "a", in: drain(queue)) == Array(0..<50)) }
    queue.close()
    return spool
}

/// Reopens the queue of `directory` while lane "a"'s spool directory is out of reach (a
/// symbolic link to nothing) and has the lane's producer enqueue 20 messages from number 50
/// on; `showLane` brings the directory back.
private func reopenWithLaneOutOfReach(_ directory: String, _ spool: SpoolConfiguration)
    -> (queue: DeliveryQueue, producer: Producer, showLane: () -> Void) {
    let hidden = directory + "/hidden-a"
    #expect(rename(directory + "/lane-a", hidden) == 0)
    #expect(symlink(directory + "/later-a", directory + "/lane-a") == 0)
    let queue = DeliveryQueue(memoryBudget: 1 << 20, spool: spool, spoolRetryNanoseconds: 0)
    var a = Producer(queue, "a", messageBytes: 40)
    a.next = 50
    for _ in 0..<4 { a.enqueue(queue, messages: 5) }
    return (queue, a, { #expect(rename(hidden, directory + "/later-a") == 0) })
}
