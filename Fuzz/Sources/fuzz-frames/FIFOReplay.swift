import FuzzSupport
import LogshipWire

/// Reads a FIFO stream the way `StreamReader` and `StreamPipeline.consume`
/// (LogshipPlugin) do, from memory: reads of varying size appended to a buffer, every
/// complete frame decoded in place by the same `EntryScanner` and pushed through the
/// reassembler, bytes that do not decode skipped to the next frame, the rest kept for
/// the next read; at the end unfinished lines are flushed.
///
/// Along the way it checks what the rest of the plugin relies on (see `Checks`).
/// A class, like `StreamPipeline`, so the reassembler's callback can reach `checks`
/// without tripping Swift's exclusivity rules on a struct.
final class FIFOReplay {
    /// Small, so that lines of a few KiB (easy for the fuzzer to build) already take
    /// the splitting path; the smallest `max-line-size` allowed is 1k.
    static let maxLineBytes = 4096

    let stream: UnsafeRawBufferPointer
    private var scanner = EntryScanner()
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
            let consumed = buffer.withUnsafeBytes { decodeFrames($0) }
            invariant(consumed <= buffer.count, "consumed \(consumed) of \(buffer.count) bytes")
            buffer.removeFirst(consumed)
        }
        reassembler.flush { checks.emitted($0) }
        invariant(!reassembler.hasPending, "lines still pending after flush")
        checks.finish(repeatedBytes: reassembler.repeatedBytes)
    }

    /// Decodes every complete frame in `bytes`, skipping what does not decode; returns
    /// how many bytes were dealt with.
    private func decodeFrames(_ bytes: UnsafeRawBufferPointer) -> Int {
        var offset = 0
        while offset < bytes.count {
            switch scanner.step(in: bytes, from: offset) {
            case let .entry(entry, end):
                invariant(end > offset && end <= bytes.count, "frame ending at \(end) does not fit \(offset)..<\(bytes.count)")
                let frame = UnsafeRawBufferPointer(rebasing: bytes[(offset + 4)..<end])
                checks.decoded(entry, from: frame)
                reassembler.push(entry) { checks.emitted($0) }
                offset = end
            case .needMore:
                return offset
            case let .skipped(to, _):
                invariant(to > offset && to <= bytes.count, "skipped to \(to) from \(offset) of \(bytes.count)")
                offset = to
            }
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
