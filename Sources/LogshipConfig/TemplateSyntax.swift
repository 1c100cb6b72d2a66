/// The parsed form of a tag template: the subset of Go's text/template that log tags
/// use. Control structures (`if`, `range`, …) and variables are refused at parse time
/// with a clear error rather than rendered wrongly.
enum TemplateNode: Equatable, Sendable {
    case text(String)
    case action(Pipeline)
}

struct Pipeline: Equatable, Sendable {
    /// Each command's result is passed as the last argument of the next (`a | b`).
    var commands: [Command]
}

struct Command: Equatable, Sendable {
    var operands: [Operand]
}

indirect enum Operand: Equatable, Sendable {
    /// `.A.B`: fields (and map keys) of the container info; empty for `.` itself.
    case field([String])
    case string(String)
    case number(Int)
    case bool(Bool)
    case function(String)
    case pipeline(Pipeline)
}

/// A tag template that could not be parsed or rendered; the message names the
/// problem in the template's own terms.
public struct TemplateError: Error, Equatable, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
