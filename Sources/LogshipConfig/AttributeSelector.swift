/// The `labels`, `labels-regex`, `env` and `env-regex` options, with Docker's
/// semantics (`Info.ExtraAttributes`, protocol reference §11): names are taken as
/// given (no trimming), regexes are unanchored, env is skipped when the container
/// has none, and later sources overwrite earlier ones for the same key.
struct AttributeSelector {
    var labels: String?
    var labelsRegex: Regex<AnyRegexOutput>?
    var env: String?
    var envRegex: Regex<AnyRegexOutput>?

    /// Compiles a regex option, naming the option when the pattern is bad.
    static func regex(_ pattern: String, _ option: LogOption, _ source: ValueSource) throws(OptionError) -> Regex<AnyRegexOutput> {
        do {
            return try Regex(pattern)
        } catch {
            throw .invalid(option, pattern, source: source, expected: "not a valid regular expression (\(error))")
        }
    }

    /// The selected attributes, sorted by the keys' UTF-8 bytes for a stable output
    /// order (Swift's `String <` is not a total order on keys that differ only in
    /// Unicode normalization; Go orders map keys by bytes too).
    func attributes(of info: ContainerInfo) -> [(key: String, value: String)] {
        var result: [String: String] = [:]
        if let labels {
            for name in labels.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
                if let value = info.containerLabels[name] { result[name] = value }
            }
        }
        if let labelsRegex {
            for (key, value) in info.containerLabels where key.contains(labelsRegex) { result[key] = value }
        }
        let environment = info.environment
        if !environment.isEmpty {
            if let env {
                for name in env.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
                    if let value = environment[name] { result[name] = value }
                }
            }
            if let envRegex {
                for (key, value) in environment where key.contains(envRegex) { result[key] = value }
            }
        }
        return result.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { (key: $0.key, value: $0.value) }
    }
}
