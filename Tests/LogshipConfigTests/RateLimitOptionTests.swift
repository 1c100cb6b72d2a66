import Testing
@testable import LogshipConfig

/// Each test's options with a destination, which the rate limit needs.
private func withDestination(_ options: [String: String]) -> [String: String] {
    ["syslog-address": "udp://logs.example"].merging(options) { $1 }
}

private func resolve(_ options: [String: String], environment: [String: String] = [:]) throws -> StreamSettings {
    try resolveOptions(withDestination(options), environment: environment)
}

private func failure(_ options: [String: String], environment: [String: String] = [:]) -> String {
    optionFailure(withDestination(options), environment: environment)
}

@Suite struct RateLimitOptionTests {
    @Test func offByDefaultAndTheBurstDefaultsToTheLimit() throws {
        #expect(try resolve([:]).rateLimit == nil)
        #expect(try resolve(["rate-limit": "0"]).rateLimit == nil)
        #expect(try resolve(["rate-limit": "1000"]).rateLimit == RateLimit(messagesPerSecond: 1000, burst: 1000))
        #expect(try resolve(["rate-limit": "100", "rate-burst": "5000"]).rateLimit == RateLimit(messagesPerSecond: 100, burst: 5000))
        #expect(RateLimit(messagesPerSecond: 100, burst: 1).optionText == "rate-limit=100")
    }

    @Test func hostWideLikeEveryOptionAndAContainerCanLiftIt() throws {
        let host = ["RATE_LIMIT": "50", "RATE_BURST": "80"]
        #expect(try resolve([:], environment: host).rateLimit == RateLimit(messagesPerSecond: 50, burst: 80))
        #expect(try resolve(["rate-limit": "0"], environment: host).rateLimit == nil)
        #expect(try resolve(["rate-limit": "7"], environment: host).rateLimit == RateLimit(messagesPerSecond: 7, burst: 80))
        // A host-wide burst alone waits for containers that set a limit.
        #expect(try resolve([:], environment: ["RATE_BURST": "80"]).rateLimit == nil)
    }

    @Test(arguments: [
        (["rate-limit": "lots"], "log-opt rate-limit"),
        (["rate-limit": "-1"], "log-opt rate-limit"),
        (["rate-limit": "10000001"], "log-opt rate-limit"),
        (["rate-limit": "1.5"], "log-opt rate-limit"),
        (["rate-limit": "10", "rate-burst": "0"], "log-opt rate-burst"),
        (["rate-burst": "10"], "log-opt rate-burst"),
    ])
    func badValuesNameTheOption(options: [String: String], named: String) {
        let message = failure(options)
        #expect(message.contains(named), "\(message)")
        #expect(message.contains("invalid value"), "\(message)")
    }

    @Test func aBadHostWideValueNamesTheSetting() {
        #expect(failure([:], environment: ["RATE_LIMIT": "fast"]).contains("RATE_LIMIT"))
    }
}
