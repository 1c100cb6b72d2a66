import LogshipSystem
import Testing
@testable import LogshipDelivery

func batch(_ messages: [String]) -> MessageBatch {
    var b = MessageBatch()
    for m in messages {
        b.bytes.append(contentsOf: m.utf8)
        b.endMessage()
    }
    return b
}

func messages(_ b: MessageBatch) -> [String] {
    (0..<b.count).map { String(decoding: b.bytes[b.start(of: $0)..<b.ends[$0]], as: UTF8.self) }
}

@Suite struct MessageQueueTests {
    @Test func fifoOrderAcrossSegments() {
        let queue = MessageQueue(capacityBytes: 1 << 20, segmentBytes: 8)
        for i in 0..<10 {
            var b = batch(["m\(i)-"])
            queue.enqueue(&b)
            #expect(b.isEmpty)
        }
        var out: [String] = []
        var taken = MessageBatch()
        while queue.dequeue(into: &taken, deadline: 0) { out += messages(taken) }
        #expect(out == (0..<10).map { "m\($0)-" })
        #expect(queue.currentStats.queuedBytes == 0)
        #expect(queue.currentStats.enqueuedMessages == 10)
    }

    @Test func fullQueueDropsTheOldestAndCountsThem() {
        let queue = MessageQueue(capacityBytes: 30, segmentBytes: 10)
        for i in 0..<10 {
            var b = batch(["0123456789"])
            b.bytes[0] = UInt8(ascii: "0") + UInt8(i)
            queue.enqueue(&b)
        }
        let stats = queue.currentStats
        #expect(stats.droppedMessages == 7)
        #expect(stats.droppedBytes == 70)
        #expect(stats.queuedMessages == 3)
        var out: [String] = []
        var taken = MessageBatch()
        while queue.dequeue(into: &taken, deadline: 0) { out += messages(taken) }
        #expect(out.map { $0.first! } == ["7", "8", "9"])
    }

    @Test func requeuedMessagesComeBackFirst() {
        let queue = MessageQueue(capacityBytes: 1 << 20)
        var b = batch(["a", "b", "c"])
        queue.enqueue(&b)
        var taken = MessageBatch()
        #expect(queue.dequeue(into: &taken, deadline: 0))
        var newer = batch(["d"])
        queue.enqueue(&newer)
        taken.removeFirst(messages: 1)
        queue.requeueFront(&taken)
        var out: [String] = []
        while queue.dequeue(into: &taken, deadline: 0) { out += messages(taken) }
        #expect(out == ["b", "c", "d"])
    }

    @Test func dequeueWaitsForAProducer() throws {
        let queue = MessageQueue(capacityBytes: 1 << 20)
        try spawnThread(name: "producer") {
            sleep(nanoseconds: 50_000_000)
            var b = batch(["late"])
            queue.enqueue(&b)
        }
        var taken = MessageBatch()
        #expect(queue.dequeue(into: &taken, deadline: MonotonicClock.now() + 5_000_000_000))
        #expect(messages(taken) == ["late"])
        #expect(!queue.dequeue(into: &taken, deadline: MonotonicClock.now() + 10_000_000))
    }

    @Test func batchRemoveFirstKeepsOffsetsRight() {
        var b = batch(["aa", "b", "ccc"])
        b.removeFirst(messages: 1)
        #expect(messages(b) == ["b", "ccc"])
        b.removeFirst(messages: 5)
        #expect(b.isEmpty)
    }

    @Test func backoffGrowsWithJitterUpToTheCap() {
        var backoff = Backoff(initialNanoseconds: 100, maximumNanoseconds: 1000)
        let delays = (0..<8).map { _ in backoff.next() }
        #expect((80...120).contains(delays[0]))
        #expect((160...240).contains(delays[1]))
        #expect(delays.suffix(3).allSatisfy { (800...1200).contains($0) })
        backoff.reset()
        #expect((80...120).contains(backoff.next()))
    }
}
