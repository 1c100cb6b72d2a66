/// Parses Go text/template syntax (the parts log tags use) into `TemplateNode`s.
struct TemplateParser {
    private let scalars: [Unicode.Scalar]
    private var position = 0
    /// Parenthesised pipelines nest by recursion; without a bound a long run of `(`
    /// in a --log-opt would overflow the stack and take the plugin down.
    private var depth = 0
    static let maxDepth = 100

    init(_ source: String) {
        scalars = Array(source.unicodeScalars)
    }

    mutating func parse() throws(TemplateError) -> [TemplateNode] {
        var nodes: [TemplateNode] = []
        var text = ""
        while position < scalars.count {
            if startsWith("{{") {
                position += 2
                let trimLeft = startsWith("- ") || startsWith("-\t") || startsWith("-\n")
                if trimLeft {
                    position += 1
                    while let last = text.unicodeScalars.last, last.properties.isWhitespace { text.unicodeScalars.removeLast() }
                }
                if !text.isEmpty { nodes.append(.text(text)) }
                text = ""
                if let pipeline = try parseAction() { nodes.append(.action(pipeline)) }
            } else {
                text.unicodeScalars.append(scalars[position])
                position += 1
            }
        }
        if !text.isEmpty { nodes.append(.text(text)) }
        return nodes
    }

    // MARK: Actions

    /// Parses up to and including `}}`; nil for a comment.
    private mutating func parseAction() throws(TemplateError) -> Pipeline? {
        skipSpaces()
        if startsWith("/*") {
            guard let end = find("*/") else { throw TemplateError("unclosed comment in tag template") }
            position = end + 2
            skipSpaces()
            try closeAction()
            return nil
        }
        let pipeline = try parsePipeline(closing: nil)
        try closeAction()
        return pipeline
    }

    private mutating func closeAction() throws(TemplateError) {
        skipSpaces()
        if startsWith("-}}") {
            position += 3
            while position < scalars.count, scalars[position].properties.isWhitespace { position += 1 }
        } else if startsWith("}}") {
            position += 2
        } else {
            throw TemplateError("unclosed action in tag template (missing \"}}\")")
        }
    }

    private mutating func parsePipeline(closing: Unicode.Scalar?) throws(TemplateError) -> Pipeline {
        var commands: [Command] = []
        while true {
            var operands: [Operand] = []
            while true {
                skipSpaces()
                if atActionEnd || position >= scalars.count || scalars[position] == "|" || (closing != nil && scalars[position] == closing!) { break }
                operands.append(try parseOperand())
            }
            guard !operands.isEmpty else { throw TemplateError("missing value in tag template action") }
            commands.append(Command(operands: operands))
            skipSpaces()
            if position < scalars.count, scalars[position] == "|" {
                position += 1
                continue
            }
            break
        }
        return Pipeline(commands: commands)
    }

    private mutating func parseOperand() throws(TemplateError) -> Operand {
        let c = scalars[position]
        switch c {
        case ".":
            position += 1
            var path: [String] = []
            var name = identifier()
            if name.isEmpty { return .field([]) }
            path.append(name)
            while position < scalars.count, scalars[position] == "." {
                position += 1
                name = identifier()
                guard !name.isEmpty else { throw TemplateError("bad field name after \".\" in tag template") }
                path.append(name)
            }
            return .field(path)
        case "\"":
            return .string(try quotedString())
        case "`":
            position += 1
            var value = ""
            while position < scalars.count, scalars[position] != "`" {
                value.unicodeScalars.append(scalars[position])
                position += 1
            }
            guard position < scalars.count else { throw TemplateError("unterminated raw string in tag template") }
            position += 1
            return .string(value)
        case "(":
            position += 1
            depth += 1
            defer { depth -= 1 }
            guard depth <= Self.maxDepth else {
                throw TemplateError("parentheses nested deeper than \(Self.maxDepth) in tag template")
            }
            let inner = try parsePipeline(closing: ")")
            skipSpaces()
            guard position < scalars.count, scalars[position] == ")" else { throw TemplateError("unclosed \"(\" in tag template") }
            position += 1
            return .pipeline(inner)
        case "$":
            throw TemplateError("template variables ($) are not supported in tag")
        case "-", "0"..."9":
            var digits = String(c)
            position += 1
            while position < scalars.count, ("0"..."9").contains(scalars[position]) {
                digits.unicodeScalars.append(scalars[position])
                position += 1
            }
            guard let value = Int(digits) else { throw TemplateError("bad number \(digits) in tag template") }
            return .number(value)
        default:
            let name = identifier()
            guard !name.isEmpty else { throw TemplateError("unexpected \"\(c)\" in tag template") }
            switch name {
            case "true": return .bool(true)
            case "false": return .bool(false)
            case "if", "else", "end", "range", "with", "define", "template", "block", "break", "continue", "nil":
                throw TemplateError("\"\(name)\" is not supported in tag templates; use fields ({{.Name}}), label lookups ({{index .ContainerLabels \"key\"}}) and functions")
            default:
                return .function(name)
            }
        }
    }

    // MARK: Lexing helpers

    private var atActionEnd: Bool { startsWith("}}") || startsWith("-}}") }

    private func startsWith(_ text: String) -> Bool {
        var i = position
        for s in text.unicodeScalars {
            guard i < scalars.count, scalars[i] == s else { return false }
            i += 1
        }
        return true
    }

    private func find(_ text: String) -> Int? {
        var i = position
        let needle = Array(text.unicodeScalars)
        while i + needle.count <= scalars.count {
            if Array(scalars[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }

    private mutating func skipSpaces() {
        while position < scalars.count, scalars[position] == " " || scalars[position] == "\t" || scalars[position] == "\n" || scalars[position] == "\r" {
            position += 1
        }
    }

    private mutating func identifier() -> String {
        var name = ""
        while position < scalars.count {
            let s = scalars[position]
            guard s == "_" || s.properties.isAlphabetic || ("0"..."9").contains(s) else { break }
            name.unicodeScalars.append(s)
            position += 1
        }
        return name
    }

    private mutating func quotedString() throws(TemplateError) -> String {
        position += 1
        var value = ""
        while position < scalars.count {
            let s = scalars[position]
            position += 1
            if s == "\"" { return value }
            if s == "\\" {
                guard position < scalars.count else { break }
                let e = scalars[position]
                position += 1
                switch e {
                case "n": value += "\n"
                case "t": value += "\t"
                case "r": value += "\r"
                case "\\": value += "\\"
                case "\"": value += "\""
                default: throw TemplateError("unsupported escape \\\(e) in tag template string")
                }
            } else {
                value.unicodeScalars.append(s)
            }
        }
        throw TemplateError("unterminated string in tag template")
    }
}
