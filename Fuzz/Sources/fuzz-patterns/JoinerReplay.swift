import FuzzSupport
import LogshipWire
@testable import LogshipEvents

/// Lines through a joiner (the presets the control bytes pick, small limits, timeouts
/// and a checkpoint restored into a fresh joiner half-way) must come out as they went
/// in: per stream, the messages joined with LF are the lines joined with LF, in order.
/// Joining may only choose where messages end, never drop, repeat or reorder a line.
enum JoinerReplay {
    static func check(control: [UInt8], _ lines: [[UInt8]]) {
        let c = control + [0, 0, 0, 0]
        var presets: [MultilinePreset] = []
        if c[0] & 1 != 0 { presets.append(.java) }
        if c[0] & 2 != 0 { presets.append(.python) }
        if c[0] & 4 != 0 { presets.append(.go) }
        let maxLines = 2 + Int(c[1] % 8)
        let maxBytes = 8 + Int(c[2]) * 4
        let restoreAt = Int(c[3]) % (lines.count + 1)
        var joiner = MultilineJoiner(classifier: .presets(PresetRecognizer(presets)), maxLines: maxLines, maxBytes: maxBytes,
                                     timeoutNanoseconds: 10)
        var sent: [LogSource: [UInt8]] = [:]
        var written: [LogSource: [UInt8]] = [:]
        let collect = { (m: JoinedMessage) in
            if sent[m.source] != nil { sent[m.source]!.append(UInt8(ascii: "\n")) }
            sent[m.source, default: []].append(contentsOf: m.bytes)
        }
        // The reassembler hands on no line longer than `max-line-size`, the joiner's byte cap.
        for (index, line) in lines.map({ Array($0.prefix(maxBytes)) }).enumerated() {
            if index == restoreAt {
                var restored = MultilineJoiner(classifier: .presets(PresetRecognizer(presets)), maxLines: maxLines,
                                               maxBytes: maxBytes, timeoutNanoseconds: 10)
                do {
                    try restored.restore(checkpoint: joiner.checkpoint(), now: Int64(index) * 4)
                } catch {
                    invariant(false, "a joiner's own checkpoint does not restore: \(error.message)")
                }
                joiner = restored
            }
            // The second byte of a line picks its stream, the third whether time passes first.
            let source: LogSource = line.count > 1 && line[1] & 1 != 0 ? .stderr : .stdout
            if line.count > 2 && line[2] & 1 != 0 { joiner.emitExpired(now: Int64(index) * 4 + 100, emit: collect) }
            if written[source] != nil { written[source]!.append(UInt8(ascii: "\n")) }
            written[source, default: []].append(contentsOf: line)
            line.withUnsafeBytes { joiner.push($0, source: source, timeNano: Int64(index), severity: nil, now: Int64(index) * 4, emit: collect) }
        }
        joiner.flush(emit: collect)
        invariant(!joiner.isHolding, "something is held after flush")
        invariant(sent == written, "lines changed on the way through the joiner")
    }
}
