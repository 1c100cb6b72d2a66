import Glibc
import LogshipSystem
import Synchronization
import Testing
@testable import LogshipDelivery

private func spooled(_ directory: String, memory: Int = 1 << 20, maxBytes: Int = 64 << 20, segmentBytes: Int = 16 << 20) throws -> DeliveryQueue {
    DeliveryQueue(memoryBudget: memory, spool: SpoolConfiguration(directory: directory, maxBytes: maxBytes, segmentBytes: segmentBytes))
}

@Suite struct SpoolTests {
    @Test func everythingNotAcknowledgedSurvivesARestartInOrder() throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        do {
            let queue = try spooled(directory)
            for i in 0..<50 {
                var b = batch(["a\(i)", "b\(i)"])
                queue.enqueue(&b)
            }
            var taken = MessageBatch()
            #expect(queue.dequeue(into: &taken, deadline: 0))
            queue.acknowledge(messages: 31)  // 15 records and one message of the 16th
            queue.close()
            // The plugin dies here: nothing else is written.
        }
        let again = try spooled(directory)
        #expect(again.currentStats.pendingMessages == 69)
        // The restarted plugin appends more before the old messages are sent: they must
        // land after the recovered ones, not over them.
        var more = batch(["c0", "c1"])
        again.enqueue(&more)
        let expected = Array((0..<50).flatMap { ["a\($0)", "b\($0)"] }.dropFirst(31)) + ["c0", "c1"]
        #expect(drain(again) == expected)
        #expect(again.isEmpty)
    }

    @Test func messagesBeyondTheMemoryBudgetComeBackFromDiskInOrder() throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        let queue = try spooled(directory, memory: 64 * 1024)
        let padding = String(repeating: "p", count: 1000)
        for i in 0..<2000 {
            var b = batch(["\(i) " + padding])
            queue.enqueue(&b)
        }
        #expect(queue.currentStats.memoryBytes <= 64 * 1024 + QueueMemory.chunkBytes)
        let out = drain(queue)
        #expect(out.count == 2000)
        #expect(out.map { Int($0.split(separator: " ")[0])! } == Array(0..<2000))
        #expect(queue.isEmpty)
    }

    @Test func fullSpoolDropsTheOldestSegmentAndCountsIt() throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        // 8 segments of 64 KiB in a 512 KiB spool.
        let queue = try spooled(directory, memory: 64 * 1024, maxBytes: 512 * 1024)
        let padding = String(repeating: "q", count: 1000)
        for i in 0..<2000 {
            var b = batch(["\(i) " + padding])
            queue.enqueue(&b)
        }
        let stats = queue.currentStats
        #expect(stats.droppedMessages > 0)
        #expect(stats.spoolBytes <= 512 * 1024 + 2048)
        let out = drain(queue)
        #expect(out.count + stats.droppedMessages == 2000)
        // What survives is the newest, still in order.
        let numbers = out.map { Int($0.split(separator: " ")[0])! }
        #expect(numbers == Array((2000 - out.count)..<2000))
        #expect(queue.isEmpty)
    }

    @Test func tornRecordAtTheEndIsCutOffOnRecovery() throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        do {
            let queue = try spooled(directory)
            var b = batch(["whole"])
            queue.enqueue(&b)
            queue.close()
        }
        let segment = try FileSystem.listDirectory(directory).first { $0.hasSuffix(".seg") }!
        let file = try FileDescriptor.open(directory + "/" + segment, [.writeOnly, .append])
        // Half a record: a valid header promising more payload than follows.
        let lengths: [UInt32] = [5]
        var header = lengths.withUnsafeBytes { SpoolRecord.encodeHeader(payloadBytes: 100, messageCount: 1, lengths: $0) }
        try file.writeAll(withUnsafeBytes(of: &header) { Array($0) } + [5, 0, 0, 0, 0x41])
        file.close()
        let problems = Mutex<[String]>([])
        let again = DeliveryQueue(memoryBudget: 1 << 20, spool: SpoolConfiguration(directory: directory, maxBytes: 64 << 20)) { problem in
            problems.withLock { $0.append(problem) }
        }
        #expect(drain(again) == ["whole"])
        // The cut is reported, not silent: it may be a torn tail or damage that cost messages.
        #expect(problems.withLock { $0 }.count == 1)
        #expect(problems.withLock { $0 }.first?.contains("21 bytes after offset 25") == true)
        var after = batch(["next"])
        again.enqueue(&after)
        #expect(drain(again) == ["next"])
    }

    @Test func deliveredSegmentsAreDeleted() throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        let queue = try spooled(directory, memory: 1 << 20, maxBytes: 8 << 20, segmentBytes: 64 * 1024)
        let padding = String(repeating: "d", count: 4000)
        for _ in 0..<200 {
            var b = batch([padding])
            queue.enqueue(&b)
        }
        #expect(try FileSystem.listDirectory(directory).filter { $0.hasSuffix(".seg") }.count > 5)
        _ = drain(queue)
        #expect(try FileSystem.listDirectory(directory).filter { $0.hasSuffix(".seg") }.count <= 2)
        queue.removeSpool()
        #expect(!FileSystem.exists(directory))
    }
}

@Suite struct SpoolReadFailureTests {
    /// A record damaged on disk while the queue runs costs that record, counted as
    /// dropped, and not everything after it up to what memory still holds.
    @Test func aRecordThatCannotBeReadIsSkippedAloneAndCounted() throws {
        let directory = temporaryDirectory()
        defer { removeTree(directory) }
        let queue = DeliveryQueue(memoryBudget: 64 * 1024, spool: SpoolConfiguration(directory: directory, maxBytes: 64 << 20))
        let padding = String(repeating: "r", count: 2000)
        for i in 0..<200 {
            var b = batch(["\(i)a " + padding, "\(i)b"])
            queue.enqueue(&b)
        }
        // The first records are on disk only by now; damage the third one's header.
        let segment = try #require((try FileSystem.listDirectory(directory)).filter { $0.hasSuffix(".seg") }.sorted().first)
        let file = try FileDescriptor.open(directory + "/" + segment, [.readWrite])
        var header = [UInt8](repeating: 0, count: 16)
        var offset = 0
        for _ in 0..<2 {
            _ = try header.withUnsafeMutableBytes { try file.read(into: $0, at: offset) }
            let payload = Int(header[4]) | Int(header[5]) << 8 | Int(header[6]) << 16
            let count = Int(header[8]) | Int(header[9]) << 8
            offset += 16 + 4 * count + payload
        }
        try [UInt8](repeating: 0xEE, count: 4).withUnsafeBytes { try file.write($0, at: offset) }
        file.close()

        let out = drain(queue)
        let expected = (0..<200).filter { $0 != 2 }.flatMap { ["\($0)a " + padding, "\($0)b"] }
        #expect(out.count == expected.count)
        #expect(out == expected, "messages differ from index \(zip(out, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? -1) on")
        #expect(queue.currentStats.droppedMessages == 2)
        #expect(queue.isEmpty)
    }
}
