import Testing
@testable import LogshipConfig

/// Inputs on which the fuzz-start-logging target (Fuzz/, scripts/fuzz.sh) found a
/// broken property.
@Suite struct ConfigFuzzRegressionTests {
    /// Attribute order and the tag's rendering of label maps (`{{json .ContainerLabels}}`,
    /// `{{.ContainerLabels}}`) were sorted with Swift's `String <`, which is not a total
    /// order on keys that differ only in Unicode normalization ("e\u{301}" against
    /// "\u{e9}a": false both ways), so they followed the dictionary's layout, which
    /// differs from process to process. Go orders map keys by their UTF-8 bytes.
    @Test func labelOrderDoesNotDependOnTheDictionary() throws {
        let labels = ["a": "0", "b": "1", "e\u{301}": "2", "\u{e9}a": "3"]
        let config = ["syslog-address": "udp://h", "labels-regex": ".", "tag": "{{json .ContainerLabels}} {{.ContainerLabels}}"]
        var outcomes: Set<[String]> = []
        for capacity in [0, 8, 16, 32, 64, 128] {
            for order in [Array(labels), Array(labels.reversed())] {
                var rebuilt = [String: String](minimumCapacity: capacity)
                for (key, value) in order { rebuilt[key] = value }
                let settings = try OptionResolver(environment: [:], hostname: "h")
                    .resolve(ContainerInfo(config: config, containerLabels: rebuilt))
                outcomes.insert(settings.context.attributes.map(\.key) + [settings.context.tag])
            }
        }
        #expect(outcomes == [["a", "b", "e\u{301}", "\u{e9}a",
                              #"{"a":"0","b":"1","e\#u{301}":"2","\#u{e9}a":"3"} map[a:0 b:1 e\#u{301}:2 \#u{e9}a:3]"#]])
    }
}
