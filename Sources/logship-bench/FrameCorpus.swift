/// FIFO bytes as the daemon writes them, made in memory: a chunk of frames that the
/// benchmark feeds again and again, so the measurement is not of building input.
struct FrameCorpus {
    let bytes: [UInt8]
    let frames: Int
    let lineBytes: Int

    /// `frames` LogEntry frames of `lineBytes`-byte printable lines, stdout with a
    /// stderr line every tenth, timestamps a microsecond apart.
    init(frames: Int, lineBytes: Int) {
        var out: [UInt8] = []
        out.reserveCapacity(frames * (lineBytes + 32))
        var time: UInt64 = 1_795_709_781_000_000_000
        for i in 0..<frames {
            var line = Array("line \(i) ".utf8)
            while line.count < lineBytes { line.append(UInt8(ascii: "a") + UInt8(line.count % 26)) }
            line.removeLast(line.count - lineBytes)
            let source = i % 10 == 9 ? "stderr" : "stdout"
            var body: [UInt8] = [0x0A, 6] + Array(source.utf8) + [0x10] + FrameCorpus.varint(time)
            body += [0x1A] + FrameCorpus.varint(UInt64(line.count)) + line
            let n = UInt32(body.count)
            out += [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + body
            time += 1000
        }
        bytes = out
        self.frames = frames
        self.lineBytes = lineBytes
    }

    static func varint(_ value: UInt64) -> [UInt8] {
        var v = value
        var out: [UInt8] = []
        repeat {
            let byte = UInt8(v & 0x7F)
            v >>= 7
            out.append(v == 0 ? byte : byte | 0x80)
        } while v != 0
        return out
    }
}
