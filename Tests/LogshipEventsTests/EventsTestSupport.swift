import LogshipWire
@testable import LogshipEvents

/// A message as the tests compare it.
struct Collected: Equatable, CustomStringConvertible {
    var text: String
    var source: LogSource = .stdout
    var timeNano: Int64 = 0
    var lines = 1

    var description: String { "\(source) t=\(timeNano) lines=\(lines) \(text.debugDescription)" }
}

/// Feeds `lines` (text, source, time) to a joiner, at `now` 0 unless given, and returns
/// what it sent, then what `flush` sent.
func join(_ classifier: LineClassifier, _ lines: [(String, LogSource, Int64)], maxLines: Int = 1000, maxBytes: Int = 1 << 20,
          flush: Bool = true) -> [Collected] {
    var joiner = MultilineJoiner(classifier: classifier, maxLines: maxLines, maxBytes: maxBytes, timeoutNanoseconds: 1_000_000_000)
    var out: [Collected] = []
    let collect = { (m: JoinedMessage) in
        out.append(Collected(text: String(decoding: m.bytes, as: UTF8.self), source: m.source, timeNano: m.timeNano, lines: m.lines))
    }
    for (text, source, time) in lines {
        Array(text.utf8).withUnsafeBytes { joiner.push($0, source: source, timeNano: time, severity: nil, now: 0, emit: collect) }
    }
    if flush { joiner.flush(emit: collect) }
    return out
}

/// Stdout lines with times 1, 2, 3…
func stdout(_ texts: [String]) -> [(String, LogSource, Int64)] {
    texts.enumerated().map { ($0.element, .stdout, Int64($0.offset + 1)) }
}

func texts(_ messages: [Collected]) -> [String] { messages.map(\.text) }

func matches(_ pattern: LinePattern, _ text: String) -> Bool {
    Array(text.utf8).withUnsafeBytes { pattern.matches($0) }
}

func matches(_ matcher: DatetimeMatcher, _ text: String) -> Bool {
    Array(text.utf8).withUnsafeBytes { matcher.matches($0) }
}

func presets(_ names: MultilinePreset...) -> LineClassifier { .presets(PresetRecognizer(names)) }
