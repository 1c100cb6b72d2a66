/// Finding the next frame after bytes that do not decode as one.
///
/// Frames are only length-prefixed, so after a damaged frame (or a FIFO that starts in
/// the middle of one, after a crash while a frame too large to peek at was being read)
/// nothing says where the next one begins. Docker's encoder writes the `source` field
/// first, as `0x0a 0x06 "stdout"` or `0x0a 0x06 "stderr"`; a plausible length right
/// before that signature is taken as the next frame. A wrong guess only means the
/// decoder fails again a little further on and the search goes on from there.
public enum FrameResync {
    /// Length prefix plus signature: the bytes a frame start is recognised by.
    public static let recognitionBytes = 12

    /// The offset of the first plausible frame start at or after `start`, or nil. When
    /// nil, only the last `recognitionBytes - 1` bytes could still begin a frame.
    public static func nextFrameStart(in bytes: UnsafeRawBufferPointer, from start: Int, maxFrameBytes: Int) -> Int? {
        var at = max(start, 0)
        while at + recognitionBytes <= bytes.count {
            if isSignature(bytes, at + 4) {
                let length = Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
                if length >= 8 && length <= maxFrameBytes { return at }
            }
            at += 1
        }
        return nil
    }

    @inline(__always)
    private static func isSignature(_ b: UnsafeRawBufferPointer, _ i: Int) -> Bool {
        guard b[i] == 0x0A, b[i + 1] == 0x06, b[i + 2] == 0x73, b[i + 3] == 0x74, b[i + 4] == 0x64 else { return false }  // "std"
        return (b[i + 5] == 0x6F && b[i + 6] == 0x75 && b[i + 7] == 0x74)  // "out"
            || (b[i + 5] == 0x65 && b[i + 6] == 0x72 && b[i + 7] == 0x72)  // "err"
    }
}
