import LogshipTestFrames
import Testing
@testable import LogshipWire

@Suite struct FrameResyncTests {
    /// Docker's encoder writes the source first: what a frame start is recognised by.
    private func entry(_ source: String, _ line: String) -> [UInt8] { dockerFrame(source, Array(line.utf8)) }

    @Test func findsTheNextFrameAfterGarbage() {
        let garbage: [UInt8] = [0x00, 0x00, 0x00, 0x09, 0x0A, 0x06] + Array("stdoux".utf8) + Array(repeating: 0x41, count: 100)
        let bytes = garbage + entry("stderr", "after") + entry("stdout", "more")
        bytes.withUnsafeBytes { raw in
            #expect(FrameResync.nextFrameStart(in: raw, from: 0, maxFrameBytes: 1 << 20) == garbage.count)
            #expect(FrameResync.nextFrameStart(in: raw, from: garbage.count + 1, maxFrameBytes: 1 << 20) == garbage.count + entry("stderr", "after").count)
        }
    }

    @Test func anImplausibleLengthIsNotAFrame() {
        var bytes = entry("stdout", "x")
        bytes[0] = 0x7F  // a length over the limit before a real signature
        bytes.withUnsafeBytes { raw in
            #expect(FrameResync.nextFrameStart(in: raw, from: 0, maxFrameBytes: 1 << 20) == nil)
        }
        let tiny: [UInt8] = [0, 0, 0, 2] + [0x0A, 0x06] + Array("stdout".utf8)
        tiny.withUnsafeBytes { raw in
            #expect(FrameResync.nextFrameStart(in: raw, from: 0, maxFrameBytes: 1 << 20) == nil)
        }
    }
}
