/// A `multiline-pattern` parsed: the subset of RE2 syntax (what Docker users write,
/// Go's regexp) that POSIX extended regular expressions can match, as a tree that is
/// then written as ERE for `regcomp` or compiled to a `PrefixProgram`.
struct PatternSyntax {
    indirect enum Node {
        /// Bytes matched one at a time: a literal, a class, `.` or an escape like `\d`.
        case bytes(ByteSet)
        case group(Alternation)
        /// `^` (or `\A`), `$` (or `\z`).
        case startOfLine, endOfLine
        /// `\b`, `\B`.
        case wordBoundary(Bool)
    }

    struct Quantifier: Equatable {
        var min: Int
        /// nil: no upper bound.
        var max: Int?

        static let optional = Quantifier(min: 0, max: 1)
        static let any = Quantifier(min: 0, max: nil)
        static let oneOrMore = Quantifier(min: 1, max: nil)
    }

    struct Piece {
        var node: Node
        var quantifier: Quantifier?
    }

    typealias Concatenation = [Piece]
    typealias Alternation = [Concatenation]

    var root: Alternation
    /// A leading `(?i)`.
    var ignoreCase: Bool
}
