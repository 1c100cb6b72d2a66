import Testing
@testable import LogshipConfig

@Suite struct PluginSettingsTests {
    @Test func durationsAreParsedWithinADay() throws {
        let settings = try PluginSettings(environment: ["RESOLVE_INTERVAL": "1.5s", "FAILBACK_INTERVAL": "24h"])
        #expect(settings.delivery.resolveIntervalNanoseconds == 1_500_000_000)
        #expect(settings.delivery.failbackIntervalNanoseconds == DurationText.day)
    }

    /// `1e10h` used to overflow Int64 and trap: the plugin crash-looped at every start.
    @Test func hugeOrOddDurationsAreRefusedByName() {
        for text in ["1e10h", "25h", "inf" + "s", "nans", "-1s", "10", "50ms"] {
            #expect {
                try PluginSettings(environment: ["RESOLVE_INTERVAL": text])
            } throws: { error in
                "\(error)".contains("RESOLVE_INTERVAL=\(text)") && "\(error)".contains("from 100ms to 24h")
            }
        }
    }
}

