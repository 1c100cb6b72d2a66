import LogshipSystem
import Testing
@testable import LogshipConfig

/// README.md and config.json are written by hand around tables generated from the
/// option whitelist; these tests fail when either drifts from it.
@Suite struct DocumentationSyncTests {
    private func repositoryFile(_ name: String, filePath: String = #filePath) -> String {
        let root = filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
        return String(decoding: (try? FileSystem.read(root + "/" + name)) ?? [], as: UTF8.self)
    }

    @Test func readmeHasTheGeneratedOptionTables() {
        let readme = repositoryFile("README.md")
        #expect(readme.contains(OptionDocumentation.markdownTable()), "regenerate with: .build/debug/logship options --markdown")
        #expect(readme.contains(OptionDocumentation.pluginSettingsTable()), "regenerate with: .build/debug/logship options --plugin-settings")
    }

    @Test func configJSONDeclaresEverySettingAsSettableEnv() {
        let config = repositoryFile("config.json").filter { !$0.isWhitespace }
        for option in LogOptions.all {
            #expect(config.contains("\"name\":\"\(option.environmentName)\""), "config.json lacks \(option.environmentName)")
        }
        for setting in PluginSettings.all where setting != PluginSettings.socket {
            #expect(config.contains("\"name\":\"\(setting.name)\""), "config.json lacks \(setting.name)")
        }
        #expect(config.contains("\"socket\":\"logship.sock\""))
        #expect(config.contains("\"types\":[\"docker.logdriver/1.0\"]"))
    }

    /// A mount whose source is missing makes `docker plugin enable` fail, so a plain `docker plugin
    /// install` needs defaults every host has; both mounts are read-only (unix connect(2) needs no
    /// write access), and CONFIG_DIR's default lies inside the config mount.
    @Test func theMountsDefaultToDirectoriesEveryHostHasReadOnly() {
        let config = repositoryFile("config.json").filter { !$0.isWhitespace }
        #expect(config.contains("\"name\":\"config\""))
        #expect(config.contains("\"source\":\"\(ConfigDirectory.defaultHostSource)\",\"destination\":\"\(ConfigDirectory.mountPoint)\",\"type\":\"bind\",\"options\":[\"bind\",\"ro\"],\"settable\":[\"source\"]"))
        #expect(config.contains("\"name\":\"sockets\""))
        #expect(config.contains("\"source\":\"/dev\",\"destination\":\"/sockets\",\"type\":\"bind\",\"options\":[\"bind\",\"ro\"],\"settable\":[\"source\"]"))
        #expect(!config.contains("\"rw\""))
        #expect(PluginSettings.configDirectory.defaultValue.hasPrefix(ConfigDirectory.mountPoint + "/"))
    }

    /// `docker plugin upgrade` replaces the rootfs and keeps only the propagated mount: the FIFOs
    /// (the daemon creates them under /run/docker/logging, re-scoped into that mount) and the
    /// default STATE_DIR (stream records, spool) must both be inside it, or an upgrade loses
    /// every running stream and the spool (Tests/EndToEnd/test_upgrade.py shows it on a real engine).
    @Test func defaultStateDirectoryIsInsideThePropagatedMount() {
        let config = repositoryFile("config.json").filter { !$0.isWhitespace }
        guard let key = config.firstRange(of: "\"propagatedMount\":\"") else {
            Issue.record("config.json has no propagatedMount")
            return
        }
        let mount = String(config[key.upperBound...].prefix { $0 != "\"" })
        #expect(mount == "/run/docker/logging", "the daemon creates the FIFOs under /run/docker/logging, not \(mount)")
        #expect(PluginSettings.stateDirectory.defaultValue.hasPrefix(mount + "/"))
        #expect(config.contains("\"name\":\"STATE_DIR\",\"settable\":[\"value\"],\"value\":\"\(PluginSettings.stateDirectory.defaultValue)\""),
                "config.json's STATE_DIR default differs from PluginSettings'")
    }
}
