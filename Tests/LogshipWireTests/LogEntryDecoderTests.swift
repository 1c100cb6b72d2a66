import Testing
@testable import LogshipWire

@Suite struct LogEntryDecoderTests {
    @Test func dockerVectorWholeLine() throws {
        let entry = try decode(corpusFile("logentry-frame-1.bin"))
        #expect(entry == OwnedEntry(source: "stdout", timeNano: 1_700_000_000_123_456_789, line: Array("hello world".utf8),
                                    partial: false, hasMetadata: false, last: false, id: "", ordinal: 0))
    }

    @Test func dockerVectorFirstPiece() throws {
        let entry = try decode(corpusFile("logentry-frame-2.bin"))
        #expect(entry == OwnedEntry(source: "stderr", timeNano: 1_700_000_000_123_456_789, line: Array("AAAA".utf8),
                                    partial: true, hasMetadata: true, last: false,
                                    id: String(repeating: "0123456789abcdef", count: 4), ordinal: 1))
    }

    @Test func dockerVectorLastPieceWithEmptyLine() throws {
        let entry = try decode(corpusFile("logentry-frame-3.bin"))
        #expect(entry == OwnedEntry(source: "stderr", timeNano: 1_700_000_000_123_456_789, line: [],
                                    partial: true, hasMetadata: true, last: true,
                                    id: String(repeating: "0123456789abcdef", count: 4), ordinal: 2))
    }

    /// Frames made by Google's protobuf package (see make_corpus.py), decoded as one FIFO stream.
    @Test func independentEncoderCorpus() throws {
        let stream = try corpusFile("stream.bin")
        let expected = String(decoding: try corpusFile("stream.expected"), as: UTF8.self).split(separator: "\n")
        var decoded: [OwnedEntry] = []
        try stream.withUnsafeBytes { raw in
            var offset = 0
            let decoder = FrameDecoder()
            while offset < raw.count {
                guard case let .frame(body, end) = try decoder.next(in: raw, from: offset) else {
                    Issue.record("truncated frame at \(offset)")
                    return
                }
                decoded.append(OwnedEntry(try LogEntry.decode(UnsafeRawBufferPointer(rebasing: raw[body]))))
                offset = end
            }
        }
        #expect(decoded.count == expected.count)
        #expect(decoded.count > 400)
        for (entry, line) in zip(decoded, expected) {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            let want = OwnedEntry(source: String(f[0]), timeNano: Int64(f[1])!, line: hexBytes(f[2]),
                                  partial: f[3] == "1", hasMetadata: f[4] == "1", last: f[5] == "1",
                                  id: String(f[6]), ordinal: Int32(f[7])!)
            #expect(entry == want)
        }
    }

    @Test func rejectsGroupWireTypes() {
        #expect(throws: WireError.invalidWireType(field: 7, wireType: 3, offset: 0)) { try decode([0x3B, 0x3C]) }
        #expect(throws: WireError.invalidWireType(field: 7, wireType: 4, offset: 0)) { try decode([0x3C]) }
        #expect(throws: WireError.invalidWireType(field: 7, wireType: 6, offset: 0)) { try decode([0x3E]) }
    }

    @Test func rejectsKnownFieldWithWrongWireType() {
        // source (field 1) sent as a varint.
        #expect(throws: WireError.wrongWireType(field: "source", wireType: 0, offset: 0)) { try decode([0x08, 0x01]) }
    }

    @Test func rejectsTruncation() {
        #expect(throws: WireError.truncatedVarint(offset: 1)) { try decode([0x10, 0x95, 0x9a]) }
        #expect(throws: WireError.fieldOverrunsMessage(field: 3, offset: 0)) { try decode([0x1A, 0x05, 0x61]) }
        #expect(throws: WireError.fieldOverrunsMessage(field: 9, offset: 0)) { try decode([0x49, 0x01, 0x02]) }
        #expect(throws: WireError.fieldOverrunsMessage(field: 3, offset: 0)) { try decode([0x1A] + Array(repeating: 0xFF, count: 9) + [0x01]) }
    }

    @Test func rejectsElevenByteVarintAndFieldZero() {
        #expect(throws: WireError.varintTooLong(offset: 1)) { try decode([0x10] + Array(repeating: 0x80, count: 10) + [0x01]) }
        #expect(throws: WireError.invalidFieldNumber(offset: 0)) { try decode([0x00, 0x00]) }
    }

    @Test func errorInsideMetadataReportsFrameOffset() {
        // partial_log_metadata at byte 2 containing a truncated varint.
        #expect(throws: WireError.truncatedVarint(offset: 5)) { try decode([0x20, 0x01, 0x2A, 0x02, 0x18, 0x80]) }
    }
}
