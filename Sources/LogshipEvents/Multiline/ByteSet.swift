/// A set of bytes, 256 bits: what a character class, an escape like `\d` or a literal
/// matches, one byte at a time (patterns are matched by bytes, as in the C locale).
struct ByteSet: Equatable {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    init() {}

    static func == (a: ByteSet, b: ByteSet) -> Bool {
        a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
    }

    init(_ byte: UInt8) { insert(byte) }

    init(_ range: ClosedRange<UInt8>) {
        for b in range { insert(b) }
    }

    init(ascii text: String) {
        for b in text.utf8 { insert(b) }
    }

    @inline(__always)
    func contains(_ byte: UInt8) -> Bool {
        withUnsafeBytes(of: words) { raw in
            raw.load(fromByteOffset: Int(byte >> 6) * 8, as: UInt64.self) & (1 << UInt64(byte & 63)) != 0
        }
    }

    mutating func insert(_ byte: UInt8) {
        withUnsafeMutableBytes(of: &words) { raw in
            let offset = Int(byte >> 6) * 8
            raw.storeBytes(of: raw.load(fromByteOffset: offset, as: UInt64.self) | (1 << UInt64(byte & 63)),
                           toByteOffset: offset, as: UInt64.self)
        }
    }

    mutating func formUnion(_ other: ByteSet) {
        words = (words.0 | other.words.0, words.1 | other.words.1, words.2 | other.words.2, words.3 | other.words.3)
    }

    var inverted: ByteSet {
        var set = ByteSet()
        set.words = (~words.0, ~words.1, ~words.2, ~words.3)
        return set
    }

    /// The set with both cases of every ASCII letter in it (for `(?i)`).
    var caseFolded: ByteSet {
        var set = self
        for b in UInt8(ascii: "A")...UInt8(ascii: "Z") where contains(b) || contains(b | 0x20) {
            set.insert(b)
            set.insert(b | 0x20)
        }
        return set
    }

    var count: Int { words.0.nonzeroBitCount + words.1.nonzeroBitCount + words.2.nonzeroBitCount + words.3.nonzeroBitCount }

    var isEmpty: Bool { count == 0 }

    /// The one byte in the set, when there is exactly one.
    var single: UInt8? {
        guard count == 1 else { return nil }
        return (0...255).lazy.map { UInt8($0) }.first { contains($0) }
    }

    static let digits = ByteSet(UInt8(ascii: "0")...UInt8(ascii: "9"))
    /// RE2's `\s`: `[\t\n\f\r ]`.
    static let spaces = ByteSet(ascii: "\t\n\u{0C}\r ")
    /// RE2's `\w`: `[0-9A-Za-z_]`.
    static let wordCharacters: ByteSet = {
        var set = ByteSet.digits
        set.formUnion(ByteSet(UInt8(ascii: "A")...UInt8(ascii: "Z")))
        set.formUnion(ByteSet(UInt8(ascii: "a")...UInt8(ascii: "z")))
        set.insert(UInt8(ascii: "_"))
        return set
    }()
    /// RE2's `.`: anything but LF.
    static let anyButNewline = ByteSet(UInt8(ascii: "\n")).inverted
}
