/// One step of UTF-8 validation: how many bytes at a position form either a
/// well-formed character or a single ill-formed unit to be replaced by U+FFFD.
///
/// Ill-formed units follow the Unicode "maximal subpart" practice (also WHATWG's):
/// the longest prefix of a well-formed sequence counts as one unit, anything else is
/// one byte on its own. Parser and writer share it so both replace identically.
struct UTF8Sequence {
    let length: Int
    let isValid: Bool

    /// `bytes[index]` must be at least 0x80 (ASCII is handled by the callers' fast paths).
    @inline(__always)
    static func at(_ index: Int, in bytes: UnsafeRawBufferPointer) -> UTF8Sequence {
        let lead = bytes[index]
        let expected: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: expected = 2
        case 0xE0: expected = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: expected = 3
        case 0xED: expected = 3; secondRange = 0x80...0x9F
        case 0xF0: expected = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: expected = 4
        case 0xF4: expected = 4; secondRange = 0x80...0x8F
        default: return UTF8Sequence(length: 1, isValid: false)
        }
        var length = 1
        while length < expected {
            let position = index + length
            guard position < bytes.count else { return UTF8Sequence(length: length, isValid: false) }
            let range = length == 1 ? secondRange : 0x80...0xBF
            guard range.contains(bytes[position]) else { return UTF8Sequence(length: length, isValid: false) }
            length += 1
        }
        return UTF8Sequence(length: length, isValid: true)
    }
}

/// U+FFFD REPLACEMENT CHARACTER in UTF-8.
let replacementCharacterUTF8: (UInt8, UInt8, UInt8) = (0xEF, 0xBF, 0xBD)
