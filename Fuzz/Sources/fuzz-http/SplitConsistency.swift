import FuzzSupport

/// The parser is incremental: a request must parse the same however the socket
/// happened to cut it into reads. Compares one whole-buffer parse with a parse of
/// the same bytes in three pieces, and (for inputs small enough to stay fast) one
/// byte at a time, the worst case for its resumable line search.
struct SplitConsistency {
    let bytes: [UInt8]
    let limits: ParserLimits

    /// Byte-at-a-time costs one parser call per byte; beyond this it would slow the
    /// fuzzer more than it finds.
    static let maxBytewiseInput = 2048

    func check() {
        let whole = ParseOutcome(parsing: bytes, cutAt: [], limits: limits)
        let cuts = cutPoints()
        let pieces = ParseOutcome(parsing: bytes, cutAt: cuts, limits: limits)
        invariant(whole == pieces, "\(limits): whole input gave \(whole); cut at \(cuts) it gave \(pieces)")
        guard bytes.count <= Self.maxBytewiseInput, bytes.count > 1 else { return }
        let bytewise = ParseOutcome(parsing: bytes, cutAt: Array(1..<bytes.count), limits: limits)
        invariant(whole == bytewise, "\(limits): whole input gave \(whole); byte by byte it gave \(bytewise)")
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
