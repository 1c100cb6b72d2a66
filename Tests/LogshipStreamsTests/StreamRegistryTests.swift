import LogshipTestFrames
import LogshipTestSupport
import Glibc
import LogshipConfig
import LogshipDelivery
import LogshipJSON
import LogshipSystem
import Testing
@testable import LogshipStreams

/// A container's stream, started as StartLogging starts it, whose lines go to
/// `receiver` as they are (tcp-format raw), so a test can compare them with what it wrote.
private func startRawStream(on registry: StreamRegistry, to receiver: StreamReceiver, name: String = "fifo") throws -> DaemonFIFO {
    let fifo = try DaemonFIFO(name: name)
    let options = ["tcp-address": "tcp://127.0.0.1:\(receiver.port)", "tcp-format": "raw"]
    try registry.start(file: fifo.path, info: containerInfo(options), record: false)
    return fifo
}

@Suite(.serialized) struct StreamRegistryTests {
    @Test func framesReachTheReceiverAndStopLoggingDrainsToEOF() throws {
        let receiver = try StreamReceiver()
        defer { receiver.close() }
        try withStreamRegistry { registry in
            let fifo = try startRawStream(on: registry, to: receiver)
            try fifo.write(dockerFrame("stdout", Array("first".utf8)))
            // StopLogging comes while lines are still in the pipe; they must all arrive.
            var pending: [UInt8] = []
            for i in 0..<2000 { pending += dockerFrame("stdout", Array("line \(i)".utf8)) }
            try fifo.write(pending)
            registry.stop(file: fifo.path)
            fifo.close()
            #expect(waitUntil { receiver.lines.count >= 2001 })
            #expect(receiver.lines.first == "first")
            #expect(receiver.lines.last == "line 1999")
            #expect(registry.waitForStreams(until: MonotonicClock.now() + 5_000_000_000))
        }
    }

    @Test func splitLineIsReassembledAndFlushedAtEOF() throws {
        let receiver = try StreamReceiver()
        defer { receiver.close() }
        try withStreamRegistry { registry in
            let fifo = try startRawStream(on: registry, to: receiver)
            let id = String(repeating: "ab", count: 32)
            let big = [UInt8](repeating: UInt8(ascii: "y"), count: 40_000)
            try fifo.write(dockerFrame("stdout", Array(big[0..<16384]), partial: (false, id, 1))
                + dockerFrame("stdout", Array(big[16384..<32768]), partial: (false, id, 2))
                + dockerFrame("stdout", Array(big[32768...]), partial: (true, id, 3))
                + dockerFrame("stdout", Array("unterminated".utf8), partial: (false, "other", 1)))
            fifo.close()
            #expect(waitUntil { receiver.lines.count >= 2 })
            #expect(receiver.lines.map(\.count) == [40_000, 12])
            #expect(registry.waitForStreams(until: MonotonicClock.now() + 5_000_000_000))
            #expect(registry.reassembledLines == 1)
        }
    }

    @Test func frameLargerThanThePipeIsStillRead() throws {
        let receiver = try StreamReceiver()
        defer { receiver.close() }
        try withStreamRegistry { registry in
            let fifo = try startRawStream(on: registry, to: receiver)
            // A frame of just under 1 MiB cannot sit whole in a 1 MiB pipe beside its header:
            // peeking can never see it complete, so the reader must fall back to reading.
            let huge = [UInt8](repeating: UInt8(ascii: "h"), count: (1 << 20) - 24)
            let writer = fifo.writer
            try spawnThread(name: "daemon-writer") {
                try? writer.writeAll(dockerFrame("stdout", huge) + dockerFrame("stdout", Array("after".utf8)))
            }
            #expect(waitUntil(timeout: 20) { receiver.lines.count >= 2 })
            #expect(receiver.lines.map(\.count) == [huge.count, 5])
            fifo.close()
            #expect(registry.waitForStreams(until: MonotonicClock.now() + 5_000_000_000))
        }
    }

    @Test func corruptBytesAreSkippedToTheNextFrame() throws {
        let receiver = try StreamReceiver()
        defer { receiver.close() }
        try withStreamRegistry { registry in
            let good = try startRawStream(on: registry, to: receiver, name: "good")
            let bad = try startRawStream(on: registry, to: receiver, name: "bad")
            try bad.write(dockerFrame("stdout", Array("before".utf8)) + [0x7F, 0xFF, 0xFF, 0xFF])
            // 1 MiB that is not a frame must neither block this writer nor end the stream:
            // the reader skips it and goes on with the next frame.
            try bad.write([UInt8](repeating: 0x41, count: 1 << 20))
            try bad.write(dockerFrame("stdout", Array("after".utf8)))
            try good.write(dockerFrame("stdout", Array("unaffected".utf8)))
            good.close()
            bad.close()
            #expect(waitUntil { receiver.lines.count >= 3 })
            #expect(Set(receiver.lines) == ["before", "after", "unaffected"])
            #expect(registry.waitForStreams(until: MonotonicClock.now() + 5_000_000_000))
        }
    }

    @Test func theReattachRecordKeepsOnlyTheSelectedEnvironment() throws {
        let receiver = try StreamReceiver()
        defer { receiver.close() }
        let state = "/tmp/logship-state-test-\(getpid())-\(MonotonicClock.now())"
        defer {
            for name in (try? FileSystem.listDirectory(state)) ?? [] { FileSystem.remove(state + "/" + name) }
            FileSystem.removeDirectory(state)
        }
        try withStreamRegistry(stateDirectory: state) { registry in
            let fifo = try DaemonFIFO()
            var info = containerInfo(["tcp-address": "tcp://127.0.0.1:\(receiver.port)", "env": "APP_MODE"])
            info.containerEnv = ["APP_MODE=prod", "DB_PASSWORD=hunter2", "PATH=/bin"]
            try registry.start(file: fifo.path, info: info, record: true)
            let records = try FileSystem.listDirectory(state)
            #expect(records.count == 1)
            let text = String(decoding: try FileSystem.read(state + "/" + records[0]), as: UTF8.self)
            #expect(text.contains("APP_MODE=prod"))
            #expect(!text.contains("hunter2"))
            #expect(!text.contains("PATH=/bin"))
            // What is kept is enough to rebuild the stream: the record reads back.
            let record = try #require(StreamRecord(json: try JSONParser.parse(Array(text.utf8))))
            #expect(record.file == fifo.path)
            #expect(record.info.containerEnv == ["APP_MODE=prod"])
            #expect(record.info.config == info.config)
            #expect(record.resolved?.attributes.map(\.key) == ["APP_MODE"])
            fifo.close()
            #expect(registry.waitForStreams(until: MonotonicClock.now() + 5_000_000_000))
            #expect(try FileSystem.listDirectory(state).isEmpty)  // removed at the end of the stream
        }
    }

    @Test func startIsRefusedWithTheOptionErrorAndNothingIsLeftOpen() throws {
        try withStreamRegistry { registry in
            let fifo = try DaemonFIFO()
            defer { fifo.close() }
            let refusal = #expect(throws: StartError.self) {
                try registry.start(file: fifo.path, info: containerInfo(["syslog-adress": "udp://h"]), record: false)
            }
            #expect(refusal?.message.contains("unknown log-opt \"syslog-adress\"") == true)
            #expect(registry.activeCount == 0)
        }
    }

    @Test func startNeverDialsAndSucceedsWhileTheReceiverIsDown() throws {
        try withStreamRegistry { registry in
            let fifo = try DaemonFIFO()
            let start = MonotonicClock.now()
            // 192.0.2.1 is TEST-NET-1: a connect there would hang until its timeout.
            try registry.start(file: fifo.path, info: containerInfo(["syslog-address": "tcp://192.0.2.1:514"]), record: false)
            #expect(MonotonicClock.now() - start < 1_000_000_000)
            #expect(registry.activeCount == 1)
            fifo.close()
            #expect(registry.waitForStreams(until: MonotonicClock.now() + 5_000_000_000))
        }
    }

    @Test func dockerLogsPairWithAnEmptyFIFOIsHarmless() throws {
        try withStreamRegistry { registry in
            for _ in 0..<20 {
                let fifo = try DaemonFIFO()
                try registry.start(file: fifo.path, info: containerInfo(["syslog-address": "udp://127.0.0.1:9"]), record: false)
                registry.stop(file: fifo.path)
                fifo.close()
            }
            #expect(registry.waitForStreams(until: MonotonicClock.now() + 5_000_000_000))
            registry.stop(file: "/never/started")
        }
    }

    @Test func missingFIFOIsAClearError() throws {
        try withStreamRegistry { registry in
            let refusal = #expect(throws: StartError.self) {
                try registry.start(file: "/tmp/logship-no-such-fifo", info: containerInfo(["syslog-address": "udp://h"]), record: false)
            }
            #expect(refusal?.message.contains("cannot open the log stream") == true)
        }
    }
}
