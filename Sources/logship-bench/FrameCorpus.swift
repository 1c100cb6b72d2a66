import LogshipWire

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
            out += FrameEncoder.frame(source: i % 10 == 9 ? "stderr" : "stdout", timeNano: time, line: line)
            time += 1000
        }
        bytes = out
        self.frames = frames
        self.lineBytes = lineBytes
    }
}
