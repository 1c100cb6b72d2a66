import LogshipSystem
import LogshipTestSupport
import Synchronization
import Testing
@testable import LogshipDelivery

@Suite struct MemoryQueueTests {
    @Test func fifoOrderAcrossChunks() throws {
        let queue = DeliveryQueue(memoryBudget: 1 << 20, spool: nil)
        for i in 0..<1000 {
            var b = batch(["m\(i)-"])
            queue.enqueue(&b)
            #expect(b.isEmpty)
        }
        #expect(drain(queue) == (0..<1000).map { "m\($0)-" })
        #expect(queue.isEmpty)
        #expect(queue.currentStats.enqueuedMessages == 1000)
        #expect(queue.currentStats.memoryBytes == 0)
    }

    @Test func fullQueueDropsTheOldestAndCountsThem() throws {
        let queue = DeliveryQueue(memoryBudget: 300 * 1024, spool: nil)
        let block = String(repeating: "x", count: 100 * 1024)
        for i in 0..<10 {
            var b = batch(["\(i)" + block])
            queue.enqueue(&b)
        }
        let stats = queue.currentStats
        #expect(stats.droppedMessages == 8)
        #expect(stats.pendingMessages == 2)
        #expect(drain(queue).map { $0.first! } == ["8", "9"])
    }

    @Test func unacknowledgedMessagesKeepTheQueueBusy() throws {
        let queue = DeliveryQueue(memoryBudget: 1 << 20, spool: nil)
        var b = batch(["a", "b", "c"])
        queue.enqueue(&b)
        var taken = MessageBatch()
        #expect(queue.dequeue(into: &taken, deadline: 0))
        #expect(!queue.isEmpty)
        queue.acknowledge(messages: 2)
        #expect(queue.currentStats.pendingMessages == 1)
        queue.acknowledge(messages: 1)
        #expect(queue.isEmpty)
    }

    /// A dequeue on an empty queue waits (it does not return empty-handed before its
    /// deadline), and a producer's enqueue wakes it.
    @Test func dequeueWaitsForAProducer() throws {
        let queue = DeliveryQueue(memoryBudget: 1 << 20, spool: nil)
        let taken = Mutex<[String]?>(nil)
        try spawnThread(name: "consumer") {
            var batch = MessageBatch()
            let got = queue.dequeue(into: &batch, deadline: MonotonicClock.now() + 20_000_000_000)
            taken.withLock { $0 = got ? messages(batch) : [] }
        }
        #expect(holdsThroughout(seconds: 0.05) { taken.withLock { $0 == nil } })
        var b = batch(["late"])
        queue.enqueue(&b)
        #expect(waitUntil { taken.withLock { $0 != nil } })
        #expect(taken.withLock { $0 } == ["late"])
        var none = MessageBatch()
        #expect(!queue.dequeue(into: &none, deadline: MonotonicClock.now() + 10_000_000))
    }

    @Test func blockPolicyMakesTheProducerWaitInsteadOfDropping() throws {
        let queue = DeliveryQueue(memoryBudget: 64 * 1024, spool: nil, overflow: .block)
        let block = String(repeating: "y", count: 40 * 1024)
        var first = batch(["1" + block])
        queue.enqueue(&first)
        let producerDone = Atomic<Bool>(false)
        try spawnThread(name: "blocked-producer") {
            var second = batch(["2" + block])
            queue.enqueue(&second)
            producerDone.store(true, ordering: .releasing)
        }
        #expect(holdsThroughout(seconds: 0.1) { !producerDone.load(ordering: .acquiring) })
        // Taking the first message frees nothing yet; acknowledging it does.
        var taken = MessageBatch()
        #expect(queue.dequeue(into: &taken, deadline: 0))
        #expect(messages(taken).map { $0.first! } == ["1"])
        #expect(holdsThroughout(seconds: 0.05) { !producerDone.load(ordering: .acquiring) })
        queue.acknowledge(messages: taken.count)
        #expect(waitUntil { producerDone.load(ordering: .acquiring) })
        #expect(drain(queue).map { $0.first! } == ["2"])
        #expect(queue.currentStats.droppedMessages == 0)
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
