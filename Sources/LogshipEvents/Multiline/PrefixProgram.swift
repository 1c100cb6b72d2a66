/// A compiled matcher for the patterns most start patterns are: anchored at the start
/// of the line, a sequence of bytes, classes and repetitions with no alternation
/// (`^\d{4}-\d{2}-\d{2}`, `^\[`, `^\S`, `^[A-Z][a-z]{2} [ 0-9]\d `). It is a
/// Thompson automaton run bit-parallel (shift-and): positions are bits of one word,
/// each byte costs a table load and a few shifts, and it stops as soon as the prefix
/// matched or no position is alive: an order of magnitude below `regexec` per line.
struct PrefixProgram {
    /// For each byte, the positions whose class contains it.
    private let table: ByteTable
    /// Positions that may be skipped (`?`, `*`, the optional part of `{n,m}`).
    private let optional: UInt64
    /// Positions that may repeat (`*`, and the tail of `+` and `{n,}`).
    private let repeating: UInt64
    /// The bit after the last position: everything matched.
    private let accept: UInt64
    private let start: UInt64
    /// A trailing `$`: the match must end where the line does.
    private let anchoredAtEnd: Bool

    /// The most positions one word holds (one bit is the accepting one).
    static let maxPositions = 63

    /// nil when the pattern is not of this shape (or too long): `regexec` runs it.
    init?(_ syntax: PatternSyntax) {
        guard syntax.root.count == 1, let first = syntax.root[0].first, case .startOfLine = first.node, first.quantifier == nil else { return nil }
        var pieces = Array(syntax.root[0].dropFirst())
        var anchoredAtEnd = false
        if let last = pieces.last, case .endOfLine = last.node, last.quantifier == nil {
            anchoredAtEnd = true
            pieces.removeLast()
        }
        var positions: [(set: ByteSet, optional: Bool, repeating: Bool)] = []
        guard PrefixProgram.expand(pieces, into: &positions), positions.count <= Self.maxPositions else { return nil }
        let table = ByteTable()
        var optional: UInt64 = 0
        var repeating: UInt64 = 0
        for (bit, position) in positions.enumerated() {
            let set = syntax.ignoreCase ? position.set.caseFolded : position.set
            for byte in 0...255 where set.contains(UInt8(byte)) { table[UInt8(byte)] |= 1 << UInt64(bit) }
            if position.optional { optional |= 1 << UInt64(bit) }
            if position.repeating { repeating |= 1 << UInt64(bit) }
        }
        self.table = table
        self.optional = optional
        self.repeating = repeating
        accept = 1 << UInt64(positions.count)
        self.anchoredAtEnd = anchoredAtEnd
        start = PrefixProgram.closure(1, optional: optional)
    }

    /// Positions for `pieces`: `x{n,m}` is n required copies and m−n optional ones,
    /// `x{n,}` n−1 required and one that repeats (`x*` when n is 0). Unquantified groups
    /// of one branch are inlined; anything else is not this shape.
    private static func expand(_ pieces: PatternSyntax.Concatenation,
                               into positions: inout [(set: ByteSet, optional: Bool, repeating: Bool)]) -> Bool {
        for piece in pieces {
            switch piece.node {
            case let .bytes(set):
                let q = piece.quantifier ?? PatternSyntax.Quantifier(min: 1, max: 1)
                if let max = q.max {
                    guard positions.count + max <= Self.maxPositions else { return false }
                    for _ in 0..<q.min { positions.append((set, false, false)) }
                    for _ in q.min..<max { positions.append((set, true, false)) }
                } else {
                    guard positions.count + q.min + 1 <= Self.maxPositions else { return false }
                    for _ in 0..<max(q.min - 1, 0) { positions.append((set, false, false)) }
                    positions.append((set, q.min == 0, true))
                }
            case let .group(inner) where inner.count == 1 && piece.quantifier == nil:
                guard expand(inner[0], into: &positions) else { return false }
            default:
                return false
            }
        }
        return true
    }

    /// Adds the positions reachable by skipping optional ones.
    @inline(__always)
    private static func closure(_ state: UInt64, optional: UInt64) -> UInt64 {
        var d = state
        while true {
            let next = d | ((d & optional) << 1)
            if next == d { return d }
            d = next
        }
    }

    @inline(__always)
    func matches(_ line: UnsafeRawBufferPointer) -> Bool {
        var d = start
        for byte in line {
            if d & accept != 0 && !anchoredAtEnd { return true }
            let m = table[byte]
            let stepped = ((d & m) << 1) | (d & m & repeating)
            guard stepped != 0 else { return false }
            d = PrefixProgram.closure(stepped, optional: optional)
        }
        return d & accept != 0
    }
}

/// 256 words, one per byte value, held outside ARC so that a lookup is a load.
private struct ByteTable {
    private final class Storage {
        let words = UnsafeMutablePointer<UInt64>.allocate(capacity: 256)
        init() { words.initialize(repeating: 0, count: 256) }
        deinit { words.deallocate() }
    }

    private let storage = Storage()
    private let words: UnsafeMutablePointer<UInt64>

    init() { words = storage.words }

    subscript(byte: UInt8) -> UInt64 {
        @inline(__always) get { words[Int(byte)] }
        nonmutating set { words[Int(byte)] = newValue }
    }
}
