import FuzzSupport
import LogshipWire
@testable import LogshipEvents

/// Lines through a joiner (the presets the control bytes pick, small limits, timeouts
/// and a checkpoint restored into a fresh joiner half-way) must come out as they went
/// in: per stream, the messages joined with LF are the lines joined with LF, in order.
/// Joining may only choose where messages end, never drop, repeat or reorder a line.
///
/// Lines arrive in reads, as from the FIFO: each read is one buffer that lives only
/// for that read, its lines are borrowed (`lineOutlivesCall`) and `endOfRead` ends it,
/// so ASan catches a held line that outlives its buffer.
enum JoinerReplay {
    static func check(control: [UInt8], _ lines: [[UInt8]]) {
        let c = control + [0, 0, 0, 0, 0]
        var presets: [MultilinePreset] = []
        if c[0] & 1 != 0 { presets.append(.java) }
        if c[0] & 2 != 0 { presets.append(.python) }
        if c[0] & 4 != 0 { presets.append(.go) }
        let maxLines = 2 + Int(c[1] % 8)
        let maxBytes = 8 + Int(c[2]) * 4
        let linesPerRead = 1 + Int(c[4] % 6)
        let restoreAtRead = Int(c[3]) % (lines.count / linesPerRead + 1)
        func make() -> MultilineJoiner {
            MultilineJoiner(classifier: .presets(PresetRecognizer(presets)), maxLines: maxLines, maxBytes: maxBytes, timeoutNanoseconds: 10)
        }
        var joiner = make()
        var sent: [LogSource: [UInt8]] = [:]
        var written: [LogSource: [UInt8]] = [:]
        let collect = { (m: JoinedMessage) in
            if sent[m.source] != nil { sent[m.source]!.append(UInt8(ascii: "\n")) }
            sent[m.source, default: []].append(contentsOf: m.bytes)
        }
        // The reassembler hands on no line longer than `max-line-size`, the joiner's byte cap.
        let capped = lines.map { Array($0.prefix(maxBytes)) }
        var index = 0
        var read = 0
        while index < capped.count {
            if read == restoreAtRead {
                var restored = make()
                do {
                    try restored.restore(checkpoint: joiner.checkpoint(), now: Int64(index) * 4)
                } catch {
                    invariant(false, "a joiner's own checkpoint does not restore: \(error.message)")
                }
                joiner = restored
            }
            let group = capped[index..<min(index + linesPerRead, capped.count)]
            let buffer = group.flatMap { $0 }
            buffer.withUnsafeBytes { raw in
                var offset = 0
                for (k, line) in group.enumerated() {
                    let at = index + k
                    // The second byte of a line picks its stream, the third whether time passes first.
                    let source: LogSource = line.count > 1 && line[1] & 1 != 0 ? .stderr : .stdout
                    if line.count > 2 && line[2] & 1 != 0 { joiner.emitExpired(now: Int64(at) * 4 + 100, emit: collect) }
                    if written[source] != nil { written[source]!.append(UInt8(ascii: "\n")) }
                    written[source, default: []].append(contentsOf: line)
                    let bytes = UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + line.count)])
                    joiner.push(bytes, source: source, timeNano: Int64(at), severity: nil, now: Int64(at) * 4,
                                lineOutlivesCall: true, emit: collect)
                    offset += line.count
                }
                joiner.endOfRead()
            }
            index += group.count
            read += 1
        }
        joiner.flush(emit: collect)
        invariant(!joiner.isHolding, "something is held after flush")
        invariant(sent == written, "lines changed on the way through the joiner")
    }
}
