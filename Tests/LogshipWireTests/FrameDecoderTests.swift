import LogshipTestFrames
import Testing
@testable import LogshipWire

@Suite struct FrameDecoderTests {
    @Test func wholeFrame() throws {
        let bytes = frame(Array("abc".utf8)) + [0, 0]
        try bytes.withUnsafeBytes { raw in
            guard case let .frame(body, end) = try FrameDecoder().next(in: raw, from: 0) else {
                Issue.record("expected a frame"); return
            }
            #expect(body == 4..<7)
            #expect(end == 7)
            guard case let .needMore(need) = try FrameDecoder().next(in: raw, from: 7) else {
                Issue.record("expected needMore"); return
            }
            #expect(need == 4)
        }
    }

    @Test func partialBodyAsksForTheWholeFrame() throws {
        let bytes = Array(frame(Array(repeating: 1, count: 100)).prefix(50))
        try bytes.withUnsafeBytes { raw in
            guard case let .needMore(need) = try FrameDecoder().next(in: raw, from: 0) else {
                Issue.record("expected needMore"); return
            }
            #expect(need == 104)
        }
    }

    @Test func oversizedFrameIsAnError() {
        let bytes: [UInt8] = [0x7B, 0x22, 0x45, 0x72]  // `{"Er`: JSON where frames were expected
        #expect(throws: WireError.frameTooLarge(length: 0x7B22_4572, limit: 1 << 20)) {
            try bytes.withUnsafeBytes { raw in _ = try FrameDecoder().next(in: raw, from: 0) }
        }
    }

    @Test func limitIsInclusive() throws {
        let decoder = FrameDecoder(maxFrameBytes: 3)
        try frame([1, 2, 3]).withUnsafeBytes { raw in
            guard case .frame = try decoder.next(in: raw, from: 0) else { Issue.record("expected a frame"); return }
        }
        #expect(throws: WireError.frameTooLarge(length: 4, limit: 3)) {
            try frame([1, 2, 3, 4]).withUnsafeBytes { raw in _ = try decoder.next(in: raw, from: 0) }
        }
    }
}
