import Testing
import LogshipTestFrames
@testable import LogshipWire

/// The encoder the benchmark and the tests build their input with writes byte for byte
/// what Docker's encoder wrote for the reference vectors.
@Suite struct FrameEncoderTests {
    private let id = String(repeating: "0123456789abcdef", count: 4)
    private let time: UInt64 = 1_700_000_000_123_456_789

    @Test func matchesDockersVectors() throws {
        #expect(FrameEncoder.frame(source: "stdout", timeNano: time, line: Array("hello world".utf8)) == frame(try corpusFile("logentry-frame-1.bin")))
        #expect(FrameEncoder.frame(source: "stderr", timeNano: time, line: Array("AAAA".utf8),
                                   partial: (last: false, id: id, ordinal: 1)) == frame(try corpusFile("logentry-frame-2.bin")))
        #expect(FrameEncoder.frame(source: "stderr", timeNano: time, line: [],
                                   partial: (last: true, id: id, ordinal: 2)) == frame(try corpusFile("logentry-frame-3.bin")))
    }
}
