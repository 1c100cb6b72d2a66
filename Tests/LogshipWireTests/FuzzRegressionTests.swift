import LogshipTestFrames
import Testing
@testable import LogshipWire

/// Inputs on which the fuzz-frames target (Fuzz/, scripts/fuzz.sh) found a broken
/// property, decoded and reassembled the way the stream reader does.
@Suite struct FrameFuzzRegressionTests {
    /// Every complete frame of `stream` through `LogEntry.decode` and a reassembler,
    /// flushed at the end; the emitted lines, copied.
    private func lines(of stream: [UInt8], maxLineBytes: Int) throws -> [[UInt8]] {
        var reassembler = Reassembler(maxLineBytes: maxLineBytes)
        var out: [[UInt8]] = []
        try stream.withUnsafeBytes { bytes in
            var offset = 0
            while case let .frame(body, end) = try FrameDecoder().next(in: bytes, from: offset) {
                let entry = try LogEntry.decode(UnsafeRawBufferPointer(rebasing: bytes[body]))
                reassembler.push(entry) { out.append(Array($0.bytes)) }
                offset = end
            }
        }
        reassembler.flush { out.append(Array($0.bytes)) }
        return out
    }

    /// A whole (non-partial) entry longer than max-line-size went out as one line:
    /// only pieces of split lines were cut to the maximum. The daemon's whole lines
    /// reach 16 KiB and max-line-size may be as small as 1k, so the documented bound
    /// ("longer lines are sent in pieces of this size") did not hold.
    /// Reproducer: 00 00 10 04 1a 81 20, then 4097 × "x".
    @Test func wholeLineLongerThanTheMaximumIsEmittedInPieces() throws {
        let line = [UInt8](repeating: UInt8(ascii: "x"), count: 4097)
        let stream = frame([0x1A, 0x81, 0x20] + line)  // field 3 (line), length 4097
        let out = try lines(of: stream, maxLineBytes: 4096)
        #expect(out.map(\.count) == [4096, 1])
        #expect(Array(out.joined()) == line)
    }

    /// The boundary: a whole line of exactly the maximum stays one line.
    @Test func wholeLineOfExactlyTheMaximumStaysWhole() throws {
        let line = [UInt8](repeating: UInt8(ascii: "x"), count: 4096)
        let out = try lines(of: frame([0x1A, 0x80, 0x20] + line), maxLineBytes: 4096)
        #expect(out == [line])
    }
}
