import LogshipConfig
import LogshipDelivery
import LogshipJSON
import LogshipSystem
import LogshipTestFrames
import LogshipTestSupport
import Testing
@testable import LogshipStreams

/// A stream pipeline that joins lines (a line starting with a non-space starts a
/// message), sending JSON lines to `receiver`.
private func joiningPipeline(_ destinations: DestinationRegistry, _ receiver: StreamReceiver) throws -> StreamPipeline {
    let settings = try OptionResolver(environment: [:], hostname: "testhost")
        .resolve(containerInfo(["tcp-address": "tcp://127.0.0.1:\(receiver.port)", "multiline-pattern": #"^\S"#]))
    return try StreamPipeline(settings: settings) { try destinations.acquire($0) }
}

private func frames(_ lines: [String], from time: UInt64) -> [UInt8] {
    lines.enumerated().flatMap { dockerFrame("stdout", Array($0.element.utf8), time: time + UInt64($0.offset)) }
}

private func messages(_ receiver: StreamReceiver) -> [String] {
    receiver.lines.compactMap { try? JSONParser.parse(Array($0.utf8))["message"]?.string }
}

@Suite(.serialized) struct MultilineCheckpointTests {
    /// Read 1 starts a message, read 2 continues it; the plugin dies after read 2's
    /// checkpoint was written and before its bytes left the FIFO. The restarted stream
    /// finds read 2's bytes at the head of the FIFO again: it must neither lose the
    /// message's first lines nor take read 2's lines twice.
    @Test func aCrashBetweenCheckpointAndConsumeKeepsTheMessageWholeAndSingle() throws {
        let receiver = try StreamReceiver()
        defer { receiver.close() }
        try withDestinationRegistry { registry in
            let read1 = frames(["Exception: boom", "  at a"], from: 1000)
            let read2 = frames(["  at b", "  at c"], from: 2000)
            let read3 = frames(["next"], from: 3000)

            let first = try joiningPipeline(registry, receiver)
            var checkpoint: [UInt8] = []
            for read in [read1, read2] {
                read.withUnsafeBytes { bytes in
                    #expect(first.consume(bytes).bytes == bytes.count)
                    #expect(first.flush())
                    if let written = first.checkpointIfChanged(consuming: bytes) { checkpoint = written }
                }
            }
            #expect(!checkpoint.isEmpty)

            // Killed here: read 2 is still in the FIFO, in front of what came after it.
            let second = try joiningPipeline(registry, receiver)
            let applied = try #require(try second.restore(checkpoint: checkpoint))
            let fifo = read2 + read3
            let rest = fifo.withUnsafeBytes { head -> [UInt8] in
                #expect(applied.begins(head))
                return Array(head[applied.length...])
            }
            #expect(rest == read3)
            rest.withUnsafeBytes { _ = second.consume($0) }
            #expect(second.finish())
            #expect(waitUntil { messages(receiver).count >= 2 })
            #expect(messages(receiver) == ["Exception: boom\n  at a\n  at b\n  at c", "next"])
        }
    }

    /// Killed before read 2's checkpoint: the restored state is read 1's, and read 2 is
    /// not the fingerprinted bytes, so it is applied again, once.
    @Test func aCrashBeforeTheCheckpointReplaysTheRead() throws {
        let receiver = try StreamReceiver()
        defer { receiver.close() }
        try withDestinationRegistry { registry in
            let read1 = frames(["Exception: boom", "  at a"], from: 1000)
            let read2 = frames(["  at b", "next"], from: 2000)
            let first = try joiningPipeline(registry, receiver)
            let checkpoint = read1.withUnsafeBytes { bytes -> [UInt8]? in
                _ = first.consume(bytes)
                _ = first.flush()
                return first.checkpointIfChanged(consuming: bytes)
            }
            let second = try joiningPipeline(registry, receiver)
            let applied = try second.restore(checkpoint: try #require(checkpoint))
            read2.withUnsafeBytes { head in
                #expect(applied?.begins(head) == false)
                _ = second.consume(head)
            }
            #expect(second.finish())
            #expect(waitUntil { messages(receiver).count >= 2 })
            #expect(messages(receiver) == ["Exception: boom\n  at a\n  at b", "next"])
        }
    }

    /// Once nothing is in progress the file goes, one read later (or at once after a
    /// timeout, when no bytes are left to consume).
    @Test func theCheckpointIsRemovedWhenNothingIsHeld() throws {
        let receiver = try StreamReceiver()
        defer { receiver.close() }
        try withDestinationRegistry { registry in
            let pipeline = try joiningPipeline(registry, receiver)
            frames(["start"], from: 1).withUnsafeBytes { bytes in
                _ = pipeline.consume(bytes)
                #expect(pipeline.checkpointIfChanged(consuming: bytes)?.isEmpty == false)
            }
            #expect(pipeline.nextDeadline != nil)
            pipeline.emitExpired(now: pipeline.nextDeadline!)
            #expect(pipeline.nextDeadline == nil)
            #expect(pipeline.checkpointIfChanged(consuming: UnsafeRawBufferPointer(start: nil, count: 0)) == [])
            #expect(pipeline.flush())
            #expect(waitUntil { messages(receiver) == ["start"] })
        }
    }
}
