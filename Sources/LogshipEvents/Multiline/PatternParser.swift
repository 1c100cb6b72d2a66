/// Reads a `multiline-pattern` in RE2 syntax (Go's regexp, what Docker users write for
/// awslogs) into a `PatternSyntax` tree, rejecting what POSIX extended regular
/// expressions cannot match.
///
/// Accepted: literals, `.`, `[...]` classes (with ranges, `[:alpha:]`-style names and
/// escapes inside), `^ $ \A \z`, `\b \B`, `| ( ) (?: ) (?P<name> ) (?<name> )`,
/// `* + ? {n} {n,} {n,m}` (n, m ≤ 1000), `\d \D \s \S \w \W`, `\t \n \r \f \v \a`,
/// `\xHH`, `\x{H…}`, `\Q…\E`, escaped punctuation, and leading flags `(?i)` (ignore case)
/// and `(?s) (?m) (?U)` (no effect on a single line), also right after a leading `^`
/// (`^(?i)error` is `(?i)^error`). Non-greedy quantifiers (`*?`, `+?`,
/// `??`, `{n,m}?`) are taken as greedy: whether a line matches at all does not depend on
/// greediness, and that is all a start pattern asks.
/// Rejected, with the reason: lookaround, backreferences, `\p{…}` Unicode classes,
/// flags anywhere but the start, and anything else RE2 itself would refuse.
struct PatternParser {
    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0
    /// Bytes the pattern stands for once repetitions are counted out: bounds the
    /// automaton `regcomp` builds (it copies each repetition).
    private var weight = 0
    /// Nothing but `^` read yet: flags here still apply to the whole pattern.
    private var atStart = true
    private var ignoreCase = false

    static let maxRepeat = 1000
    static let maxDepth = 64
    static let maxWeight = 20_000

    static func parse(_ text: String) throws(PatternError) -> PatternSyntax {
        var parser = PatternParser(bytes: Array(text.utf8))
        parser.ignoreCase = try parser.leadingFlags()
        let root = try parser.alternation()
        if parser.index < parser.bytes.count {
            throw parser.error("unmatched ')'")
        }
        _ = try weight(of: root, parser)
        return PatternSyntax(root: root, ignoreCase: parser.ignoreCase)
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private func peek(_ offset: Int) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }

    private func error(_ what: String, at position: Int? = nil) -> PatternError {
        PatternError("\(what) at byte \((position ?? index) + 1)")
    }

    // MARK: Flags

    /// `(?flags)` at the very start; flags elsewhere cannot be expressed in ERE.
    private mutating func leadingFlags() throws(PatternError) -> Bool {
        var ignoreCase = false
        while current == UInt8(ascii: "("), peek(1) == UInt8(ascii: "?"), let first = peek(2), isFlag(first) {
            var end = index + 2
            while end < bytes.count, isFlag(bytes[end]) { end += 1 }
            guard end < bytes.count, bytes[end] == UInt8(ascii: ")") else {
                throw error("scoped flags (?\(String(decoding: bytes[(index + 2)..<end], as: UTF8.self)):…) are not supported: put (?i) at the very start to ignore case in the whole pattern")
            }
            if bytes[(index + 2)..<end].contains(UInt8(ascii: "i")) { ignoreCase = true }
            index = end + 1
        }
        return ignoreCase
    }

    private func isFlag(_ b: UInt8) -> Bool {
        b == UInt8(ascii: "i") || b == UInt8(ascii: "m") || b == UInt8(ascii: "s") || b == UInt8(ascii: "U")
    }

    // MARK: Structure

    private mutating func alternation() throws(PatternError) -> PatternSyntax.Alternation {
        var branches: PatternSyntax.Alternation = [try concatenation()]
        atStart = false
        while current == UInt8(ascii: "|") {
            index += 1
            branches.append(try concatenation())
        }
        return branches
    }

    private mutating func concatenation() throws(PatternError) -> PatternSyntax.Concatenation {
        var pieces: PatternSyntax.Concatenation = []
        while let byte = current, byte != UInt8(ascii: "|"), byte != UInt8(ascii: ")") {
            let start = index
            let atoms = try atom()
            if atoms.contains(where: { if case .startOfLine = $0.node { false } else { true } }) { atStart = false }
            guard let quantifier = try quantifier() else {
                pieces.append(contentsOf: atoms)
                continue
            }
            guard atoms.count == 1, case .bytes = atoms[0].node else {
                // An empty `\Q\E` leaves nothing for the quantifier (found by fuzz-patterns).
                guard !atoms.isEmpty else { throw error("nothing to repeat before the repetition operator", at: start) }
                if atoms.count > 1 {
                    // A multi-byte character: the quantifier applies to all of it.
                    pieces.append(PatternSyntax.Piece(node: .group([atoms]), quantifier: quantifier))
                    continue
                }
                if case .group = atoms[0].node {
                    pieces.append(PatternSyntax.Piece(node: atoms[0].node, quantifier: quantifier))
                    continue
                }
                throw error("nothing to repeat before the repetition operator", at: start)
            }
            pieces.append(PatternSyntax.Piece(node: atoms[0].node, quantifier: quantifier))
        }
        return pieces
    }

    /// One atom, as pieces without quantifiers (several for `\Q…\E` or a multi-byte
    /// character).
    private mutating func atom() throws(PatternError) -> [PatternSyntax.Piece] {
        let byte = current!
        switch byte {
        case UInt8(ascii: "(") where atStart && depth == 0 && peek(1) == UInt8(ascii: "?") && peek(2).map(isFlag) == true:
            // `^(?i)…`: flags after the leading anchor still cover everything.
            if try leadingFlags() { ignoreCase = true }
            return []
        case UInt8(ascii: "("):
            return [PatternSyntax.Piece(node: try group())]
        case UInt8(ascii: "["):
            return [PatternSyntax.Piece(node: .bytes(try characterClass()))]
        case UInt8(ascii: "."):
            index += 1
            return [PatternSyntax.Piece(node: .bytes(.anyButNewline))]
        case UInt8(ascii: "^"):
            index += 1
            return [PatternSyntax.Piece(node: .startOfLine)]
        case UInt8(ascii: "$"):
            index += 1
            return [PatternSyntax.Piece(node: .endOfLine)]
        case UInt8(ascii: "\\"):
            return try escape()
        case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"):
            throw error("missing argument to repetition operator '\(Character(Unicode.Scalar(byte)))'")
        case UInt8(ascii: "{") where repeatAhead() != nil:
            throw error("missing argument to repetition operator '{'")
        case 0x80...:
            return try multiByteCharacter()
        default:
            index += 1
            return [PatternSyntax.Piece(node: .bytes(ByteSet(byte)))]
        }
    }

    private mutating func group() throws(PatternError) -> PatternSyntax.Node {
        let open = index
        index += 1
        if current == UInt8(ascii: "?") {
            switch peek(1) {
            case UInt8(ascii: ":"):
                index += 2
            case UInt8(ascii: "P") where peek(2) == UInt8(ascii: "<"):
                index += 2
                try skipGroupName(open)
            case UInt8(ascii: "<") where peek(2) == UInt8(ascii: "=") || peek(2) == UInt8(ascii: "!"):
                throw error("lookbehind (?<\(Character(Unicode.Scalar(peek(2)!))) is not supported (neither RE2 nor POSIX ERE has it)", at: open)
            case UInt8(ascii: "<"):
                index += 1
                try skipGroupName(open)
            case let flag? where isFlag(flag) || flag == UInt8(ascii: "-"):
                throw error("flags (?\(Character(Unicode.Scalar(flag)))…) are supported only at the very start of the pattern, as (?i)", at: open)
            case UInt8(ascii: "="), UInt8(ascii: "!"):
                throw error("lookahead (?\(Character(Unicode.Scalar(peek(1)!))) is not supported (neither RE2 nor POSIX ERE has it)", at: open)
            default:
                throw error("flags or group syntax (?… are supported only as (?:…), (?P<name>…) and a leading (?i)", at: open)
            }
        }
        depth += 1
        guard depth <= Self.maxDepth else { throw error("groups nested deeper than \(Self.maxDepth)") }
        let inner = try alternation()
        depth -= 1
        guard current == UInt8(ascii: ")") else { throw error("missing ')' for the '(' at byte \(open + 1)") }
        index += 1
        return .group(inner)
    }

    /// `<name>` of a named group (the name is irrelevant: nothing is captured).
    private mutating func skipGroupName(_ open: Int) throws(PatternError) {
        index += 1
        let start = index
        while let b = current, b == UInt8(ascii: "_") || ByteSet.wordCharacters.contains(b) { index += 1 }
        guard index > start, current == UInt8(ascii: ">") else { throw error("invalid group name", at: open) }
        index += 1
    }

    private mutating func multiByteCharacter() throws(PatternError) -> [PatternSyntax.Piece] {
        let lead = current!
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        guard length > 1, index + length <= bytes.count,
              bytes[(index + 1)..<(index + length)].allSatisfy({ $0 & 0xC0 == 0x80 }) else {
            throw error("invalid UTF-8")
        }
        defer { index += length }
        return bytes[index..<(index + length)].map { PatternSyntax.Piece(node: .bytes(ByteSet($0))) }
    }

    // MARK: Repetition

    private mutating func quantifier() throws(PatternError) -> PatternSyntax.Quantifier? {
        var found: PatternSyntax.Quantifier?
        switch current {
        case UInt8(ascii: "*"): found = .any; index += 1
        case UInt8(ascii: "+"): found = .oneOrMore; index += 1
        case UInt8(ascii: "?"): found = .optional; index += 1
        case UInt8(ascii: "{"):
            guard let (quantifier, end) = repeatAhead() else { return nil }
            guard quantifier.min <= Self.maxRepeat, (quantifier.max ?? 0) <= Self.maxRepeat else {
                throw error("repetition count above \(Self.maxRepeat)")
            }
            if let max = quantifier.max, max < quantifier.min { throw error("invalid repetition range {\(quantifier.min),\(max)}") }
            found = quantifier
            index = end
        default:
            return nil
        }
        // Non-greedy: the same lines match (see the type's comment).
        if current == UInt8(ascii: "?") { index += 1 }
        switch current {
        case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"):
            throw error("repetition operator repeated")
        case UInt8(ascii: "{") where repeatAhead() != nil:
            throw error("repetition operator repeated")
        default:
            return found
        }
    }

    /// `{n}`, `{n,}` or `{n,m}` at `index`, and where it ends; nil when the brace is a
    /// literal (RE2 reads `{` that does not start a valid repetition as itself).
    private func repeatAhead() -> (PatternSyntax.Quantifier, Int)? {
        var i = index + 1
        func number() -> Int? {
            let start = i
            var value = 0
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39, i - start < 6 {
                value = value * 10 + Int(bytes[i] - 0x30)
                i += 1
            }
            return i > start && !(i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39) ? value : nil
        }
        guard let min = number() else { return nil }
        guard i < bytes.count else { return nil }
        if bytes[i] == UInt8(ascii: "}") { return (PatternSyntax.Quantifier(min: min, max: min), i + 1) }
        guard bytes[i] == UInt8(ascii: ",") else { return nil }
        i += 1
        guard i < bytes.count else { return nil }
        if bytes[i] == UInt8(ascii: "}") { return (PatternSyntax.Quantifier(min: min, max: nil), i + 1) }
        guard let max = number(), i < bytes.count, bytes[i] == UInt8(ascii: "}") else { return nil }
        return (PatternSyntax.Quantifier(min: min, max: max), i + 1)
    }

    // MARK: Escapes

    private enum Escaped {
        case set(ByteSet)
        case literals([UInt8])
        case node(PatternSyntax.Node)
    }

    private mutating func escape() throws(PatternError) -> [PatternSyntax.Piece] {
        switch try readEscape(inClass: false) {
        case let .set(set): return [PatternSyntax.Piece(node: .bytes(set))]
        case let .node(node): return [PatternSyntax.Piece(node: node)]
        case let .literals(literals):
            let pieces = literals.map { PatternSyntax.Piece(node: .bytes(ByteSet($0))) }
            // `\x{E9}` is one character of two bytes: a quantifier after it takes both.
            if pieces.count > 1, literals.first! >= 0x80 { return [PatternSyntax.Piece(node: .group([pieces]))] }
            return pieces
        }
    }

    private mutating func readEscape(inClass: Bool) throws(PatternError) -> Escaped {
        let start = index
        index += 1
        guard let letter = current else { throw error("trailing backslash", at: start) }
        index += 1
        switch letter {
        case UInt8(ascii: "d"): return .set(.digits)
        case UInt8(ascii: "D"): return .set(ByteSet.digits.inverted)
        case UInt8(ascii: "s"): return .set(.spaces)
        case UInt8(ascii: "S"): return .set(ByteSet.spaces.inverted)
        case UInt8(ascii: "w"): return .set(.wordCharacters)
        case UInt8(ascii: "W"): return .set(ByteSet.wordCharacters.inverted)
        case UInt8(ascii: "t"): return .literals([0x09])
        case UInt8(ascii: "n"): return .literals([0x0A])
        case UInt8(ascii: "r"): return .literals([0x0D])
        case UInt8(ascii: "f"): return .literals([0x0C])
        case UInt8(ascii: "v"): return .literals([0x0B])
        case UInt8(ascii: "a"): return .literals([0x07])
        case UInt8(ascii: "x"): return .literals(try hexEscape(start, inClass: inClass))
        case UInt8(ascii: "b") where !inClass: return .node(.wordBoundary(true))
        case UInt8(ascii: "B") where !inClass: return .node(.wordBoundary(false))
        case UInt8(ascii: "A") where !inClass: return .node(.startOfLine)
        case UInt8(ascii: "z") where !inClass: return .node(.endOfLine)
        case UInt8(ascii: "Q") where !inClass:
            var literals: [UInt8] = []
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "E") {
                    index += 2
                    return .literals(literals)
                }
                literals.append(bytes[index])
                index += 1
            }
            return .literals(literals)
        case UInt8(ascii: "p"), UInt8(ascii: "P"):
            throw error("Unicode classes \\\(Character(Unicode.Scalar(letter))){…} are not supported (matching is by bytes): use a class such as [A-Za-z]", at: start)
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            throw error("backreferences and octal escapes (\\\(Character(Unicode.Scalar(letter)))) are not supported", at: start)
        case _ where letter < 0x80 && !isAlphanumeric(letter):
            return .literals([letter])
        default:
            throw error("unknown escape \\\(Character(Unicode.Scalar(letter)))", at: start)
        }
    }

    /// `\xHH` or `\x{H…}`: a byte below 0x80, or a character written as its UTF-8 bytes.
    private mutating func hexEscape(_ start: Int, inClass: Bool) throws(PatternError) -> [UInt8] {
        var value: UInt32 = 0
        if current == UInt8(ascii: "{") {
            index += 1
            var digits = 0
            while let b = current, b != UInt8(ascii: "}") {
                guard let digit = hexValue(b), digits < 6 else { throw error("invalid \\x{…} escape", at: start) }
                value = value << 4 | digit
                digits += 1
                index += 1
            }
            guard digits > 0, current == UInt8(ascii: "}") else { throw error("invalid \\x{…} escape", at: start) }
            index += 1
        } else {
            for _ in 0..<2 {
                guard let b = current, let digit = hexValue(b) else { throw error("invalid \\x escape: two hex digits expected", at: start) }
                value = value << 4 | digit
                index += 1
            }
        }
        guard value != 0 else { throw error("a NUL byte cannot be matched", at: start) }
        guard let scalar = Unicode.Scalar(value) else { throw error("invalid character in \\x escape", at: start) }
        if value >= 0x80 && inClass { throw error("non-ASCII characters in a [class] are not supported (matching is by bytes)", at: start) }
        return Array(String(Character(scalar)).utf8)
    }

    private func hexValue(_ b: UInt8) -> UInt32? {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(b - 0x30)
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(b - 0x61 + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(b - 0x41 + 10)
        default: return nil
        }
    }

    private func isAlphanumeric(_ b: UInt8) -> Bool { ByteSet.wordCharacters.contains(b) && b != UInt8(ascii: "_") }

    // MARK: Classes

    private mutating func characterClass() throws(PatternError) -> ByteSet {
        let open = index
        index += 1
        let negated = current == UInt8(ascii: "^")
        if negated { index += 1 }
        var set = ByteSet()
        var first = true
        while true {
            guard let byte = current else { throw error("missing ']' for the '[' at byte \(open + 1)") }
            if byte == UInt8(ascii: "]") && !first { index += 1; break }
            first = false
            if byte == UInt8(ascii: "["), peek(1) == UInt8(ascii: ":") {
                set.formUnion(try namedClass())
                continue
            }
            let low = try classAtom()
            if current == UInt8(ascii: "-"), let next = peek(1), next != UInt8(ascii: "]") {
                index += 1
                guard case let .literals(lowBytes) = low, lowBytes.count == 1,
                      case let .literals(highBytes) = try classAtom(), highBytes.count == 1 else {
                    throw error("invalid range in class")
                }
                guard lowBytes[0] <= highBytes[0] else { throw error("invalid range \(Character(Unicode.Scalar(lowBytes[0])))-\(Character(Unicode.Scalar(highBytes[0]))) in class") }
                set.formUnion(ByteSet(lowBytes[0]...highBytes[0]))
                continue
            }
            switch low {
            case let .set(s): set.formUnion(s)
            case let .literals(literals): for b in literals { set.insert(b) }
            case .node: throw error("invalid escape in class")
            }
        }
        // RE2's [^…] does not match LF either (without (?s)); lines never hold one.
        return negated ? set.inverted : set
    }

    private mutating func classAtom() throws(PatternError) -> Escaped {
        let byte = current!
        if byte == UInt8(ascii: "\\") { return try readEscape(inClass: true) }
        if byte >= 0x80 { throw error("non-ASCII characters in a [class] are not supported (matching is by bytes)") }
        index += 1
        return .literals([byte])
    }

    /// `[:name:]` or `[:^name:]` inside a class.
    private mutating func namedClass() throws(PatternError) -> ByteSet {
        let start = index
        guard let close = (index..<(bytes.count - 1)).first(where: { bytes[$0] == UInt8(ascii: ":") && bytes[$0 + 1] == UInt8(ascii: "]") && $0 > index + 1 }) else {
            throw error("unterminated [:class:]", at: start)
        }
        var name = String(decoding: bytes[(index + 2)..<close], as: UTF8.self)
        index = close + 2
        let negated = name.hasPrefix("^")
        if negated { name.removeFirst() }
        guard let set = Self.namedClasses[name] else {
            throw error("unknown class [:\(name):]; known: \(Self.namedClasses.keys.sorted().joined(separator: ", "))", at: start)
        }
        return negated ? set.inverted : set
    }

    private static let namedClasses: [String: ByteSet] = {
        let upper = ByteSet(UInt8(ascii: "A")...UInt8(ascii: "Z"))
        let lower = ByteSet(UInt8(ascii: "a")...UInt8(ascii: "z"))
        var alpha = upper
        alpha.formUnion(lower)
        var alnum = alpha
        alnum.formUnion(.digits)
        var xdigit = ByteSet.digits
        xdigit.formUnion(ByteSet(UInt8(ascii: "A")...UInt8(ascii: "F")))
        xdigit.formUnion(ByteSet(UInt8(ascii: "a")...UInt8(ascii: "f")))
        var cntrl = ByteSet(0...0x1F)
        cntrl.insert(0x7F)
        let graph = ByteSet(0x21...0x7E)
        var punctuation = ByteSet()
        for b in UInt8(0x21)...UInt8(0x7E) where !alnum.contains(b) { punctuation.insert(b) }
        return [
            "alnum": alnum, "alpha": alpha, "ascii": ByteSet(0...0x7F), "blank": ByteSet(ascii: " \t"), "cntrl": cntrl,
            "digit": .digits, "graph": graph, "lower": lower, "print": ByteSet(0x20...0x7E), "punct": punctuation,
            "space": ByteSet(ascii: " \t\n\u{0B}\u{0C}\r"), "upper": upper, "word": .wordCharacters, "xdigit": xdigit,
        ]
    }()

    // MARK: Size

    /// Bytes the pattern stands for with repetitions counted out; throws above the limit.
    private static func weight(of alternation: PatternSyntax.Alternation, _ parser: PatternParser) throws(PatternError) -> Int {
        var total = 0
        for branch in alternation {
            for piece in branch {
                var one = 1
                if case let .group(inner) = piece.node { one = try weight(of: inner, parser) }
                let copies = piece.quantifier.map { max($0.max ?? $0.min + 1, 1) } ?? 1
                total += one * copies
                guard total <= maxWeight else {
                    throw PatternError("pattern too large once its repetitions are counted out (more than \(maxWeight) characters)")
                }
            }
        }
        return total
    }
}
