import FuzzSupport
@testable import LogshipDelivery

/// The frame parser is incremental: the server's bytes must give the same frames (and
/// the same error) however the reads cut them: whole, in three pieces, and (for inputs
/// small enough to stay fast) one byte at a time. Every answer's text must be safe for
/// a log line: printable ASCII only.
struct FrameSplitConsistency {
    let bytes: [UInt8]

    static let maxBytewiseInput = 2048
    /// Small, so that the "too large" path is reached by short inputs too.
    static let maxDataBytes = 300

    struct Outcome: Equatable, CustomStringConvertible {
        var frames: [RELPFrame] = []
        var error: RELPProtocolError?
        var description: String { "\(frames.count) frames \(frames.map { "\($0.txnr) \($0.command) \($0.data.count)B" }), error \(error?.description ?? "none")" }
    }

    func check() {
        let whole = parse(cutAt: [])
        let cuts = cutPoints()
        let pieces = parse(cutAt: cuts)
        invariant(whole == pieces, "whole input gave \(whole); cut at \(cuts) it gave \(pieces)")
        if bytes.count > 1 && bytes.count <= Self.maxBytewiseInput {
            let bytewise = parse(cutAt: Array(1..<bytes.count))
            invariant(whole == bytewise, "whole input gave \(whole); byte by byte it gave \(bytewise)")
        }
        for frame in whole.frames {
            invariant(frame.data.count <= Self.maxDataBytes, "a frame of \(frame.data.count) bytes past the limit")
            invariant((0...RELPFrame.maximumTxnr).contains(frame.txnr), "transaction number \(frame.txnr)")
            invariant((1...32).contains(frame.command.utf8.count), "command \(frame.command.debugDescription)")
            guard let response = try? RELPResponse(parsing: frame.data) else { continue }
            invariant(response.summary.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }, "log text with control bytes: \(response.summary.debugDescription)")
            invariant(response.isSuccess == (response.status == 200), "success without 200")
        }
    }

    private func parse(cutAt cuts: [Int]) -> Outcome {
        var parser = RELPFrameParser(maxDataBytes: Self.maxDataBytes)
        var outcome = Outcome()
        var start = 0
        for end in cuts + [bytes.count] where outcome.error == nil {
            bytes[start..<end].withUnsafeBytes { parser.append($0) }
            start = end
            while true {
                switch parser.next() {
                case let .frame(frame):
                    // Copied: the slice points into the parser's buffer, valid until the next append.
                    outcome.frames.append(RELPFrame(txnr: frame.txnr, command: frame.command, data: ArraySlice(Array(frame.data))))
                    invariant(outcome.frames.count <= bytes.count, "more frames than input bytes")
                    continue
                case let .invalid(error):
                    outcome.error = error
                case .needMoreData:
                    break
                }
                break
            }
        }
        return outcome
    }

    /// Two cut points in 0...count, chosen by the input's hash.
    private func cutPoints() -> [Int] {
        let hash = bytes.withUnsafeBytes { inputHash($0) }
        let range = UInt64(bytes.count + 1)
        let first = Int(hash % range)
        let second = Int((hash >> 32) % range)
        return [min(first, second), max(first, second)]
    }
}
