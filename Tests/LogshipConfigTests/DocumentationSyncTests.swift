import Glibc
import Testing
@testable import LogshipConfig

/// README.md and config.json are written by hand around tables generated from the
/// option whitelist; these tests fail when either drifts from it.
@Suite struct DocumentationSyncTests {
    private func repositoryFile(_ name: String, filePath: String = #filePath) -> String {
        let root = filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
        guard let file = fopen(root + "/" + name, "r") else { return "" }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
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
}
