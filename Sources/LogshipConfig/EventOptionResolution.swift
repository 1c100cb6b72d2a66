import LogshipEvents

/// The options that turn lines into messages: the multi-line rule (one of
/// `multiline-pattern`, `multiline-datetime-format`, `multiline-preset`) with its
/// timeout and line cap, `level-from` and `parse-json`. A rule is compiled here, as the
/// stream will compile it, so a pattern glibc rejects fails `docker run`.
enum EventOptionResolution {
    static func resolve(_ values: EffectiveValues) throws(OptionError) -> EventSettings {
        // Parsed even without a rule, so a typo in an unused option still fails loudly.
        var timeout = MultilineSettings.defaultTimeoutNanoseconds
        if let (text, source) = values.value(LogOptions.multilineTimeout) {
            guard let nanoseconds = DurationText.parse(text), nanoseconds >= 10_000_000, nanoseconds <= 3_600_000_000_000 else {
                throw .invalid(LogOptions.multilineTimeout, text, source: source, expected: "a duration from 10ms to 1h, such as 500ms, 2s or 1m")
            }
            timeout = nanoseconds
        }
        var maxLines = MultilineSettings.defaultMaxLines
        if let (text, source) = values.value(LogOptions.multilineMaxLines) {
            guard let number = Int(text), (2...100_000).contains(number) else {
                throw .invalid(LogOptions.multilineMaxLines, text, source: source, expected: "a whole number from 2 to 100000")
            }
            maxLines = number
        }
        let levelFrom = try values.choice(LogOptions.levelFrom, defaultValue: LevelSource.stream) { LevelSource(rawValue: $0) }
        let parseJSON = try values.boolean(LogOptions.parseJSON) ?? false
        let multiline = try rule(values).map { MultilineSettings(rule: $0, timeoutNanoseconds: timeout, maxLines: maxLines) }
        return EventSettings(multiline: multiline, levelFrom: levelFrom, parseJSON: parseJSON)
    }

    /// The multi-line option that is set, and where.
    static func multilineRule(_ values: EffectiveValues) -> (LogOption, ValueSource)? {
        LogOptions.multilineRules.lazy.compactMap { option in values.value(option).map { (option, $0.1) } }.first
    }

    private static func rule(_ values: EffectiveValues) throws(OptionError) -> MultilineRule? {
        let set = LogOptions.multilineRules.compactMap { option in values.value(option).map { (option, $0.0, $0.1) } }
        guard let (option, text, source) = set.first else { return nil }
        if set.count > 1 {
            let (other, _, otherSource) = set[1]
            throw OptionError("logship: \(source.describe(option)) and \(otherSource.describe(other)) are both set, and each decides on its own where a message starts: keep one of them")
        }
        let rule: MultilineRule
        switch option {
        case LogOptions.multilinePattern:
            rule = .pattern(text)
        case LogOptions.multilineDatetimeFormat:
            rule = .datetimeFormat(text)
        default:
            var presets: [MultilinePreset] = []
            for name in text.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingSpaces }) {
                guard let preset = MultilinePreset(rawValue: name) else {
                    throw .invalid(option, text, source: source,
                                   expected: "unknown preset \"\(name)\": expected one or more of \(MultilinePreset.allCases.map(\.rawValue).joined(separator: ", ")), comma-separated")
                }
                if !presets.contains(preset) { presets.append(preset) }
            }
            rule = .presets(presets)
        }
        do {
            _ = try rule.compile()
        } catch {
            let dialect = option == LogOptions.multilinePattern
                ? "; logship reads RE2 (Go) syntax and matches with POSIX extended regular expressions: lookaround, backreferences, \\p{…} classes and flags other than a leading (?i) cannot be used"
                : ""
            throw .invalid(option, text, source: source, expected: error.message + dialect)
        }
        return rule
    }
}

private extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
