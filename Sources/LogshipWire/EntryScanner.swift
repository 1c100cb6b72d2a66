// The LogshipWire module: Docker's FIFO wire format. Frames (`[u32 length][LogEntry]`),
// the hand-written LogEntry decoder (in place, no copies), resynchronisation after damage,
// and the reassembly of lines Docker split at 16 KiB (with its checkpoints).

/// Splits a FIFO's bytes into `LogEntry` values, and skips what does not decode to the
/// next frame it recognises (`FrameResync`): a damaged frame costs that frame, not the
/// rest of the stream. Stateful only in that: after a failure it is searching.
///
/// The plugin's stream pipeline and the frames fuzzer both read streams through it.
public struct EntryScanner {
    public let decoder: FrameDecoder
    /// Searching for the next frame after bytes that did not decode.
    @usableFromInline var resynchronising = false

    public init(decoder: FrameDecoder = FrameDecoder()) {
        self.decoder = decoder
    }

    public enum Step {
        /// An entry whose frame ends at `end`; its byte fields point into the buffer.
        case entry(LogEntry, end: Int)
        /// At least this many bytes from the offset on are needed to go on.
        case needMore(frameBytes: Int)
        /// The bytes up to `to` are not frames; `error` says why when decoding failed
        /// there (nil while searching for the next frame).
        case skipped(to: Int, error: WireError?)
    }

    /// Looks at `bytes` from `offset`, which must be below `bytes.count`.
    /// Inlinable: it runs once per entry, and the stream pipeline lives in another module.
    @inlinable @inline(__always)
    public mutating func step(in bytes: UnsafeRawBufferPointer, from offset: Int) -> Step {
        if resynchronising {
            if let start = FrameResync.nextFrameStart(in: bytes, from: offset, maxFrameBytes: decoder.maxFrameBytes) {
                resynchronising = false
                if start > offset { return .skipped(to: start, error: nil) }
            } else {
                // Keep the tail that could still begin a frame.
                let keep = min(FrameResync.recognitionBytes - 1, bytes.count - offset)
                let to = bytes.count - keep
                return to > offset ? .skipped(to: to, error: nil) : .needMore(frameBytes: keep + 1)
            }
        }
        do throws(WireError) {
            switch try decoder.next(in: bytes, from: offset) {
            case let .frame(body, end):
                return .entry(try LogEntry.decode(UnsafeRawBufferPointer(rebasing: bytes[body])), end: end)
            case let .needMore(frameBytes):
                return .needMore(frameBytes: frameBytes)
            }
        } catch {
            resynchronising = true
            return .skipped(to: offset + 1, error: error)
        }
    }
}
