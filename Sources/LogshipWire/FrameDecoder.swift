/// Splits the FIFO byte stream into frames: `[uint32 big-endian length][LogEntry]`.
///
/// Stateless over a caller-owned buffer, so the reader can decode every complete
/// frame of one large `read()` in place and keep the tail for the next read.
public struct FrameDecoder: Sendable {
    /// Docker's own readers guard with 1e6; a larger prefix means a corrupt stream.
    public static let defaultMaxFrameBytes = 1 << 20

    public let maxFrameBytes: Int

    public init(maxFrameBytes: Int = FrameDecoder.defaultMaxFrameBytes) {
        self.maxFrameBytes = maxFrameBytes
    }

    public enum Next {
        /// A complete message body at `body`; the frame ends at `end`.
        case frame(body: Range<Int>, end: Int)
        /// The buffer holds only part of a frame; at least this many bytes are needed
        /// from its start (header included) before it can be decoded.
        case needMore(frameBytes: Int)
    }

    /// Looks at the frame starting at `start` in `buffer`.
    @inline(__always)
    public func next(in buffer: UnsafeRawBufferPointer, from start: Int) throws(WireError) -> Next {
        let available = buffer.count - start
        guard available >= 4 else { return .needMore(frameBytes: 4) }
        let length = Int(buffer[start]) << 24 | Int(buffer[start + 1]) << 16
            | Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
        guard length <= maxFrameBytes else { throw .frameTooLarge(length: length, limit: maxFrameBytes) }
        guard available >= 4 + length else { return .needMore(frameBytes: 4 + length) }
        return .frame(body: (start + 4)..<(start + 4 + length), end: start + 4 + length)
    }
}
