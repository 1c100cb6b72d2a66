import LogshipJSON

/// Renders the option tables from the whitelist, so README.md and config.json are
/// derived from one list (tests compare them with this output).
public enum OptionDocumentation {
    public static func render(_ format: String) -> String {
        switch format {
        case "--config-env": return configEnvironment()
        case "--plugin-settings": return pluginSettingsTable()
        default: return markdownTable()
        }
    }

    /// The README's table of `--log-opt`s.
    public static func markdownTable() -> String {
        var lines = ["| `--log-opt` | Host-wide setting | Default | Meaning |", "|---|---|---|---|"]
        for option in LogOptions.all {
            let def = option.defaultDescription.isEmpty ? "–" : "`\(option.defaultDescription)`"
            lines.append("| `\(option.name)` | `\(option.environmentName)` | \(def) | \(option.summary) |")
        }
        return lines.joined(separator: "\n")
    }

    /// The README's table of plugin-wide settings that are not log-opts.
    public static func pluginSettingsTable() -> String {
        var lines = ["| Setting | Default | Meaning |", "|---|---|---|"]
        for setting in PluginSettings.all where setting != PluginSettings.socket {
            lines.append("| `\(setting.name)` | `\(setting.defaultValue)` | \(setting.summary) |")
        }
        return lines.joined(separator: "\n")
    }

    /// The `env` array of config.json: every option settable host-wide (empty means
    /// unset), plus the plugin-wide settings with their defaults.
    public static func configEnvironment() -> String {
        var entries: [JSONValue] = []
        for option in LogOptions.all {
            entries.append(envEntry(option.environmentName, "Host-wide default for --log-opt \(option.name)", ""))
        }
        for setting in PluginSettings.all where setting != PluginSettings.socket {
            entries.append(envEntry(setting.name, setting.summary, setting.defaultValue))
        }
        return String(decoding: JSONValue.array(entries).serialized(), as: UTF8.self)
    }

    private static func envEntry(_ name: String, _ description: String, _ value: String) -> JSONValue {
        .object(["name": .string(name), "description": .string(description), "value": .string(value),
                 "settable": .array([.string("value")])])
    }
}
