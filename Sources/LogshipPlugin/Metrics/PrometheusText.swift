/// Builds Prometheus text exposition format (version 0.0.4): one `# HELP` and
/// `# TYPE` per metric family, then its samples.
struct PrometheusText {
    private(set) var text = ""

    enum Kind: String {
        case counter, gauge
    }

    /// A family with one sample per label set.
    mutating func family(_ name: String, _ kind: Kind, _ help: String, _ samples: [(labels: [(String, String)], value: Int)]) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(kind.rawValue)\n"
        for sample in samples {
            text += name
            if !sample.labels.isEmpty {
                text += "{" + sample.labels.map { "\($0.0)=\"\(PrometheusText.escape($0.1))\"" }.joined(separator: ",") + "}"
            }
            text += " \(sample.value)\n"
        }
    }

    mutating func family(_ name: String, _ kind: Kind, _ help: String, _ value: Int) {
        family(name, kind, help, [(labels: [], value: value)])
    }

    /// Label values escape backslash, double quote and newline.
    static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
