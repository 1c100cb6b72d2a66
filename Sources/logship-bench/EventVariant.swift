/// The ways lines can become messages that the benchmark compares with plain lines
/// (`--variants`): multi-line joining by an anchored pattern (the prefix automaton), by
/// a pattern only `regexec` runs, by the presets, and severity and fields from the line.
///
/// The corpus's lines (`line N aaaa…`) all match the patterns, so every line is held
/// until the next one arrives, copied and sent as a message of its own: the most work
/// per line joining can take, with none of it saved by joining lines. The presets
/// recognise none of them, and `java` holds each one (any line may head a trace).
enum EventVariant: String, CaseIterable {
    case off
    case pattern
    case regex
    case preset
    case levelAuto = "level-auto"

    var options: [String: String] {
        switch self {
        case .off: return [:]
        case .pattern: return ["multiline-pattern": #"^line \d+ "#]
        case .regex: return ["multiline-pattern": #"^(line|entry) \d+ "#]
        case .preset: return ["multiline-preset": "java,python,go"]
        case .levelAuto: return ["level-from": "auto"]
        }
    }

    var label: String {
        switch self {
        case .off: return "plain lines"
        case .pattern: return #"multiline-pattern=^line \d+  (automaton)"#
        case .regex: return #"multiline-pattern=^(line|entry) \d+  (regexec)"#
        case .preset: return "multiline-preset=java,python,go"
        case .levelAuto: return "level-from=auto"
        }
    }
}
