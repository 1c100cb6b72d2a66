import FuzzSupport
import LogshipWire

/// Reads a FIFO stream the way `StreamReader` and `StreamPipeline.consume`
/// (LogshipPlugin) do, from memory: reads of varying size appended to a buffer,
/// every complete frame decoded in place and pushed through the reassembler, the
/// rest kept for the next read; the first `WireError` ends the stream, and at the
/// end unfinished lines are flushed.
///
/// Along the way it checks what the rest of the plugin relies on (see `Checks`).
/// A class, like `StreamPipeline`, so the reassembler's callback can reach `checks`
/// without tripping Swift's exclusivity rules on a struct.
final class FIFOReplay {
    /// Small, so that lines of a few KiB (easy for the fuzzer to build) already take
    /// the splitting path; the smallest `max-line-size` allowed is 1k.
    static let maxLineBytes = 4096

    let stream: UnsafeRawBufferPointer
    private let decoder = FrameDecoder()
    private var reassembler = Reassembler(maxLineBytes: FIFOReplay.maxLineBytes)
    private var checks: Checks

    init(stream: UnsafeRawBufferPointer) {
        self.stream = stream
        checks = Checks(maxLineBytes: FIFOReplay.maxLineBytes, inputBytes: stream.count)
    }

    func run() {
        var buffer: [UInt8] = []
        var readSizes = ReadSizes(seed: inputHash(stream))
        var position = 0
        reading: while position < stream.count {
            let count = min(readSizes.next(), stream.count - position)
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: stream[position..<(position + count)]))
            position += count
            do {
                let consumed = try buffer.withUnsafeBytes { try decodeFrames($0) }
                buffer.removeFirst(consumed)
            } catch {
                break reading
            }
        }
        reassembler.flush { checks.emitted($0) }
        invariant(!reassembler.hasPending, "lines still pending after flush")
        checks.finish()
    }

    /// Decodes every complete frame in `bytes`; returns how many bytes they used.
    private func decodeFrames(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> Int {
        var offset = 0
        while case let .frame(body, end) = try decoder.next(in: bytes, from: offset) {
            invariant(body.lowerBound == offset + 4 && body.upperBound == end && end <= bytes.count,
                      "frame \(body) ending at \(end) does not fit \(offset)..<\(bytes.count)")
            let message = UnsafeRawBufferPointer(rebasing: bytes[body])
            let entry = try LogEntry.decode(message)
            checks.decoded(entry, from: message)
            reassembler.push(entry) { checks.emitted($0) }
            offset = end
        }
        return offset
    }
}

/// The sizes of successive `read()`s: what a pipe hands over depends on timing, so
/// frames must decode the same whichever way they are cut.
private struct ReadSizes {
    var state: UInt64

    init(seed: UInt64) { state = seed | 1 }

    /// 1 to 4096 bytes, from an xorshift sequence.
    mutating func next() -> Int {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return Int(state % 4096) + 1
    }
}
