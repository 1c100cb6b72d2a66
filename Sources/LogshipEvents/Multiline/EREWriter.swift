/// Writes a `PatternSyntax` tree as a POSIX extended regular expression for glibc's
/// `regcomp` (REG_EXTENDED): classes become bracket expressions listing their bytes, so
/// RE2's escapes (`\d`, `\w`, `\s` and their negations, also inside classes) mean
/// exactly what they mean in Go, whatever the C library's own extensions do.
enum EREWriter {
    static func write(_ syntax: PatternSyntax) throws(PatternError) -> String {
        var out: [UInt8] = []
        try write(syntax.root, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func write(_ alternation: PatternSyntax.Alternation, to out: inout [UInt8]) throws(PatternError) {
        for (index, branch) in alternation.enumerated() {
            if index > 0 { out.append(UInt8(ascii: "|")) }
            // An empty branch (`a|`, `()`) as an empty group, which glibc accepts anywhere.
            if branch.isEmpty { out.append(contentsOf: Array("()".utf8)) }
            for piece in branch {
                try write(piece.node, to: &out)
                if let quantifier = piece.quantifier { write(quantifier, to: &out) }
            }
        }
    }

    private static func write(_ node: PatternSyntax.Node, to out: inout [UInt8]) throws(PatternError) {
        switch node {
        case let .bytes(set): try write(set, to: &out)
        case let .group(inner):
            out.append(UInt8(ascii: "("))
            try write(inner, to: &out)
            out.append(UInt8(ascii: ")"))
        case .startOfLine: out.append(UInt8(ascii: "^"))
        case .endOfLine: out.append(UInt8(ascii: "$"))
        case let .wordBoundary(at): out.append(contentsOf: Array((at ? "\\b" : "\\B").utf8))
        }
    }

    private static func write(_ quantifier: PatternSyntax.Quantifier, to out: inout [UInt8]) {
        switch (quantifier.min, quantifier.max) {
        case (0, nil): out.append(UInt8(ascii: "*"))
        case (1, nil): out.append(UInt8(ascii: "+"))
        case (0, 1?): out.append(UInt8(ascii: "?"))
        case let (min, nil): out.append(contentsOf: Array("{\(min),}".utf8))
        case let (min, max?) where max == min: out.append(contentsOf: Array("{\(min)}".utf8))
        case let (min, max?): out.append(contentsOf: Array("{\(min),\(max)}".utf8))
        }
    }

    /// Bytes special outside brackets in an ERE.
    private static let special = ByteSet(ascii: ".[()*+?{|^$\\")

    private static func write(_ set: ByteSet, to out: inout [UInt8]) throws(PatternError) {
        if let byte = set.single {
            guard byte != 0 else { throw PatternError("a NUL byte cannot be matched") }
            if special.contains(byte) { out.append(UInt8(ascii: "\\")) }
            out.append(byte)
            return
        }
        guard !set.isEmpty else { throw PatternError("a class that matches nothing") }
        // regcomp reads a C string: NUL cannot be written, so a set that holds it is
        // written as the negation of its complement. All bytes but NUL is `.` (glibc's
        // `.` matches LF, not NUL).
        let negated = set.contains(0)
        let members = negated ? set.inverted : set
        if negated && members.isEmpty || members.single == 0 {
            out.append(UInt8(ascii: "."))
            return
        }
        out.append(UInt8(ascii: "["))
        if negated { out.append(UInt8(ascii: "^")) }
        let listed = out.count
        // `]` must come first, `-` last, `^` anywhere but first: none of them is ever the
        // end of a range.
        if members.contains(UInt8(ascii: "]")) { out.append(UInt8(ascii: "]")) }
        var byte = 1
        while byte <= 255 {
            guard members.contains(UInt8(byte)), !isBracketSpecial(UInt8(byte)) else { byte += 1; continue }
            var end = byte
            while end < 255, members.contains(UInt8(end + 1)), !isBracketSpecial(UInt8(end + 1)) { end += 1 }
            out.append(UInt8(byte))
            if end - byte >= 2 {
                out.append(UInt8(ascii: "-"))
                out.append(UInt8(end))
            } else if end > byte {
                out.append(UInt8(end))
            }
            byte = end + 1
        }
        var dashWritten = false
        if members.contains(UInt8(ascii: "^")) {
            if out.count == listed && !negated {
                // Nothing before it, where a `^` would negate. A set of `^` alone is a
                // single byte, written above, so `-` is there too and may go first.
                out.append(UInt8(ascii: "-"))
                dashWritten = true
            }
            out.append(UInt8(ascii: "^"))
        }
        if members.contains(UInt8(ascii: "-")) && !dashWritten { out.append(UInt8(ascii: "-")) }
        out.append(UInt8(ascii: "]"))
    }

    private static func isBracketSpecial(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "]") || byte == UInt8(ascii: "^") || byte == UInt8(ascii: "-")
    }
}
