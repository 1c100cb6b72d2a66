import LogshipJSON

/// Docker's `tag` option: a Go template over the container info (protocol
/// reference §11), rendered once per stream.
///
/// Supported: the fields Docker documents (`{{.ID}}`, `{{.FullID}}`, `{{.Name}}`,
/// `{{.ImageID}}`, `{{.ImageFullID}}`, `{{.ImageName}}`, `{{.DaemonName}}`,
/// `{{.Command}}`, `{{.Hostname}}`) and the raw `Info` fields, map keys as fields
/// (`{{.ContainerLabels.app}}`), `index`, `len`, pipelines, and Docker's template
/// functions `json split join title lower upper pad truncate`.
public struct TagTemplate: Sendable, Equatable {
    public static let dockerDefault = "{{.ID}}"

    public let source: String
    let nodes: [TemplateNode]

    public init(_ source: String) throws(TemplateError) {
        self.source = source
        var parser = TemplateParser(source)
        nodes = try parser.parse()
    }

    public func render(_ info: ContainerInfo, hostname: String) throws(TemplateError) -> String {
        let scope = TemplateScope(info: info, hostname: hostname)
        var out = ""
        for node in nodes {
            switch node {
            case let .text(text): out += text
            case let .action(pipeline): out += try scope.evaluate(pipeline).formatted
            }
        }
        return out
    }
}

/// A value inside a template, printed the way Go's `fmt` prints it.
enum TemplateValue: Equatable {
    case string(String)
    case list([String])
    case map([String: String])
    case int(Int)
    case bool(Bool)

    var formatted: String {
        switch self {
        case let .string(s): return s
        case let .list(items): return "[" + items.joined(separator: " ") + "]"
        case let .map(entries): return "map[" + byteOrder(entries).map { "\($0.key):\($0.value)" }.joined(separator: " ") + "]"
        case let .int(n): return String(n)
        case let .bool(b): return String(b)
        }
    }

    var json: String {
        var out: [UInt8] = []
        switch self {
        case let .string(s): out.appendJSONString(s)
        case let .list(items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.appendJSONString(item)
            }
            out.append(UInt8(ascii: "]"))
        case let .map(entries):
            out.append(UInt8(ascii: "{"))
            for (i, entry) in byteOrder(entries).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.appendJSONString(entry.key)
                out.append(UInt8(ascii: ":"))
                out.appendJSONString(entry.value)
            }
            out.append(UInt8(ascii: "}"))
        case .int, .bool: out.append(contentsOf: formatted.utf8)
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Evaluates pipelines against one container's info.
struct TemplateScope {
    let info: ContainerInfo
    let hostname: String

    static let functionNames = ["index", "len", "json", "split", "join", "title", "lower", "upper", "pad", "truncate"]

    func evaluate(_ pipeline: Pipeline) throws(TemplateError) -> TemplateValue {
        var previous: TemplateValue?
        for command in pipeline.commands {
            previous = try evaluate(command, piped: previous)
        }
        return previous!
    }

    private func evaluate(_ command: Command, piped: TemplateValue?) throws(TemplateError) -> TemplateValue {
        if case let .function(name) = command.operands[0] {
            var arguments: [TemplateValue] = []
            for operand in command.operands.dropFirst() { arguments.append(try value(of: operand)) }
            if let piped { arguments.append(piped) }
            return try call(name, arguments)
        }
        guard command.operands.count == 1, piped == nil else {
            throw TemplateError("can't give arguments to a non-function in tag template")
        }
        return try value(of: command.operands[0])
    }

    private func value(of operand: Operand) throws(TemplateError) -> TemplateValue {
        switch operand {
        case let .field(path): return try field(path)
        case let .string(s): return .string(s)
        case let .number(n): return .int(n)
        case let .bool(b): return .bool(b)
        case let .pipeline(p): return try evaluate(p)
        case let .function(name): return try call(name, [])
        }
    }

    private func field(_ path: [String]) throws(TemplateError) -> TemplateValue {
        guard let first = path.first else {
            throw TemplateError("{{.}} (the whole container info) cannot be used as a tag; name a field such as {{.Name}}")
        }
        var current = try topLevelField(first)
        for key in path.dropFirst() {
            guard case let .map(entries) = current else {
                throw TemplateError("can't look up .\(key) in a non-map value in tag template")
            }
            current = .string(entries[key] ?? "")
        }
        return current
    }

    private func topLevelField(_ name: String) throws(TemplateError) -> TemplateValue {
        switch name {
        case "ID": return .string(info.shortID)
        case "FullID", "ContainerID": return .string(info.containerID)
        case "Name": return .string(info.name)
        case "ContainerName": return .string(info.containerName)
        case "ImageID": return .string(info.shortImageID)
        case "ImageFullID", "ContainerImageID": return .string(info.containerImageID)
        case "ImageName", "ContainerImageName": return .string(info.containerImageName)
        case "Command": return .string(info.command)
        case "Hostname": return .string(hostname)
        case "DaemonName": return .string(info.daemonName)
        case "ContainerEntrypoint": return .string(info.containerEntrypoint)
        case "ContainerArgs": return .list(info.containerArgs)
        case "ContainerEnv": return .list(info.containerEnv)
        case "ContainerLabels": return .map(info.containerLabels)
        case "ContainerCreated": return .string(goTimeString(info.containerCreated))
        case "Config": return .map(info.config)
        case "LogPath": return .string(info.logPath)
        default:
            throw TemplateError("unknown field .\(name) in tag template; Docker's fields are .ID .FullID .Name .ImageID .ImageFullID .ImageName .DaemonName .Command .Hostname, plus .ContainerLabels, .ContainerEnv and the other Info fields")
        }
    }

    private func call(_ name: String, _ args: [TemplateValue]) throws(TemplateError) -> TemplateValue {
        func string(_ index: Int) throws(TemplateError) -> String {
            guard case let .string(s) = args[index] else { throw TemplateError("\(name): argument \(index + 1) must be a string") }
            return s
        }
        func int(_ index: Int) throws(TemplateError) -> Int {
            guard case let .int(n) = args[index] else { throw TemplateError("\(name): argument \(index + 1) must be a number") }
            return n
        }
        func arity(_ n: Int) throws(TemplateError) {
            guard args.count == n else { throw TemplateError("\(name) takes \(n) argument\(n == 1 ? "" : "s"), got \(args.count)") }
        }
        switch name {
        case "index":
            try arity(2)
            switch (args[0], args[1]) {
            case let (.map(entries), .string(key)): return .string(entries[key] ?? "")
            case let (.list(items), .int(i)):
                guard items.indices.contains(i) else { throw TemplateError("index \(i) out of range in tag template") }
                return .string(items[i])
            default: throw TemplateError("index: can't index \(args[0].formatted) with \(args[1].formatted)")
            }
        case "len":
            try arity(1)
            switch args[0] {
            case let .string(s): return .int(s.utf8.count)
            case let .list(items): return .int(items.count)
            case let .map(entries): return .int(entries.count)
            default: throw TemplateError("len of \(args[0].formatted)")
            }
        case "json":
            try arity(1)
            return .string(args[0].json)
        case "split":
            try arity(2)
            let (s, separator) = (try string(0), try string(1))
            return .list(separator.isEmpty ? s.map(String.init) : s.split(separator: separator, omittingEmptySubsequences: false).map(String.init))
        case "join":
            try arity(2)
            guard case let .list(items) = args[0] else { throw TemplateError("join: argument 1 must be a list") }
            return .string(items.joined(separator: try string(1)))
        case "title":
            try arity(1)
            return .string(titleCased(try string(0)))
        case "lower":
            try arity(1)
            return .string(try string(0).lowercased())
        case "upper":
            try arity(1)
            return .string(try string(0).uppercased())
        case "pad":
            try arity(3)
            let s = try string(0)
            guard !s.isEmpty else { return .string(s) }
            return .string(String(repeating: " ", count: max(0, try int(1))) + s + String(repeating: " ", count: max(0, try int(2))))
        case "truncate":
            try arity(2)
            let s = try string(0)
            let n = max(0, try int(1))
            return .string(s.utf8.count <= n ? s : String(decoding: s.utf8.prefix(n), as: UTF8.self))
        default:
            throw TemplateError("function \"\(name)\" is not supported in tag templates (supported: \(TemplateScope.functionNames.joined(separator: ", ")))")
        }
    }

    /// Go's strings.Title: the first letter of each word upper-cased.
    private func titleCased(_ s: String) -> String {
        var out = ""
        var atWordStart = true
        for character in s {
            out += atWordStart ? character.uppercased() : String(character)
            atWordStart = character.isWhitespace || character.isPunctuation
        }
        return out
    }

    /// Go prints a time.Time as "2006-01-02 15:04:05.999999999 -0700 MST"; the daemon
    /// sends creation times in UTC.
    private func goTimeString(_ rfc3339: String) -> String {
        guard rfc3339.hasSuffix("Z"), let t = rfc3339.firstIndex(of: "T") else { return rfc3339 }
        return rfc3339[..<t] + " " + rfc3339[rfc3339.index(after: t)...].dropLast() + " +0000 UTC"
    }
}

/// Map entries in the order Go prints them: by the keys' UTF-8 bytes (Swift's
/// `String <` is not a total order on keys that differ only in normalization).
private func byteOrder(_ entries: [String: String]) -> [(key: String, value: String)] {
    entries.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
}
