import LogshipDestinations
import Glibc
import LogshipSystem
import LogshipTestSupport
import Synchronization
import Testing
@testable import LogshipDelivery

/// A spool whose disk fills up: nothing is closed behind the queue's back, memory stays
/// within QUEUE_SIZE, what cannot be kept is dropped and counted, spooling resumes when
/// there is room again, and the counts stay true so the destination can finish.
@Suite(.serialized, .enabled(if: geteuid() == 0, "mounting a tmpfs needs root")) struct DiskFullTests {
    private let padding = String(repeating: "d", count: 2000)
    private func message(_ i: Int) -> String { "\(i) " + padding }

    /// What the queue reported, for the plugin log.
    final class Problems: Sendable {
        private let list = Mutex<[String]>([])
        func add(_ problem: String) { list.withLock { $0.append(problem) } }
        func contain(_ text: String) -> Bool { list.withLock { $0.contains { $0.contains(text) } } }
    }

    private func queue(on disk: SmallFilesystem, memory: Int, overflow: OverflowPolicy = .dropOldest,
                       problems: Problems = Problems()) -> DeliveryQueue {
        DeliveryQueue(memoryBudget: memory, spool: SpoolConfiguration(directory: disk.path + "/spool", maxBytes: 1 << 30, segmentBytes: 64 * 1024),
                      overflow: overflow, spoolRetryNanoseconds: 0) { problems.add($0) }
    }

    @Test func aFullDiskKeepsMemoryBoundedCountsDropsAndResumes() throws {
        let disk = try SmallFilesystem(bytes: 256 * 1024)
        let problems = Problems()
        let q = queue(on: disk, memory: 128 * 1024, problems: problems)
        // About 2 MB into a 256 KiB disk and 128 KiB of memory, the receiver down.
        for i in 0..<1000 {
            var b = batch([message(i)])
            q.enqueue(&b)
            #expect(q.currentStats.memoryBytes <= 128 * 1024 + 2100)
        }
        let full = q.currentStats
        #expect(full.unspooledMessages > 0)
        #expect(full.droppedMessages > 0)
        #expect(full.pendingMessages == 1000 - full.droppedMessages)
        #expect(problems.contain("spool append failed"))

        // Room again: the next batches are spooled, and the spool says so.
        try disk.resize(to: 8 << 20)
        for i in 1000..<1100 {
            var b = batch([message(i)])
            q.enqueue(&b)
        }
        let resumed = q.currentStats
        #expect(resumed.spooledMessages == full.spooledMessages + 100)
        #expect(problems.contain("spooling resumes"))

        // Everything accepted and not dropped arrives once, in order; then nothing is pending.
        let out = drain(q).map { Int($0.split(separator: " ")[0])! }
        #expect(out == out.sorted() && Set(out).count == out.count)
        #expect(out.count == 1100 - resumed.droppedMessages)
        #expect(out.suffix(100) == Array(1000..<1100))
        #expect(q.isEmpty)
        q.close()
    }

    @Test func afterARestartOnlyWhatWasOnDiskComesBackInOrder() throws {
        let disk = try SmallFilesystem(bytes: 256 * 1024)
        var onDisk: [Int] = []
        do {
            let q = queue(on: disk, memory: 64 * 1024)
            for i in 0..<400 {
                let before = q.currentStats.spooledMessages
                var b = batch([message(i)])
                q.enqueue(&b)
                if q.currentStats.spooledMessages > before { onDisk.append(i) }
            }
            try disk.resize(to: 8 << 20)
            for i in 400..<420 {
                var b = batch([message(i)])
                q.enqueue(&b)
                onDisk.append(i)
            }
            q.close()  // the plugin stops; memory-only messages are gone with it
        }
        let again = queue(on: disk, memory: 64 * 1024)
        #expect(again.currentStats.pendingMessages == onDisk.count)
        #expect(drain(again).map { Int($0.split(separator: " ")[0])! } == onDisk)
    }

    @Test func blockPolicyWaitsForTheDiskInsteadOfKeepingMessagesInMemory() throws {
        let disk = try SmallFilesystem(bytes: 128 * 1024)
        let problems = Problems()
        let q = queue(on: disk, memory: 64 * 1024, overflow: .block, problems: problems)
        let accepted = Atomic<Int>(0)
        try spawnThread(name: "blocked-producer") {
            for i in 0..<200 {
                var b = batch([message(i)])
                guard case .accepted = q.enqueue(&b) else { return }
                accepted.add(1, ordering: .relaxed)
            }
        }
        // The disk refuses a batch (the queue says so from inside that enqueue, after
        // every earlier one was counted), and the producer stops advancing there…
        #expect(waitUntil { problems.contain("spool append failed") })
        let whenFull = accepted.load(ordering: .relaxed)
        #expect(whenFull < 200)
        #expect(holdsThroughout(seconds: 0.2) { accepted.load(ordering: .relaxed) == whenFull })
        #expect(q.currentStats.unspooledMessages == 0 && q.currentStats.droppedMessages == 0)
        // …and goes on when there is room.
        try disk.resize(to: 8 << 20)
        #expect(waitUntil { accepted.load(ordering: .relaxed) == 200 })
        #expect(drain(q).count == 200)
        q.close()
    }
}
