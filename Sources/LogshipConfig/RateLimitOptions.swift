/// A container's `rate-limit`: at most `messagesPerSecond` messages to each destination,
/// after a burst of up to `burst` at once (a token bucket of `burst` tokens refilled at
/// `messagesPerSecond` per second).
public struct RateLimit: Sendable, Equatable {
    public var messagesPerSecond: Int
    public var burst: Int

    public init(messagesPerSecond: Int, burst: Int) {
        self.messagesPerSecond = messagesPerSecond
        self.burst = burst
    }

    /// How drop notices quote it.
    public var optionText: String { "\(LogOptions.rateLimit.name)=\(messagesPerSecond)" }

    static let maximumMessagesPerSecond = 10_000_000
    static let maximumBurst = 100_000_000
}

extension LogOptions {
    public static let rateLimit = LogOption(
        name: "rate-limit", defaultDescription: "0",
        summary: "Messages per second the container may send to each destination; what exceeds it is dropped, counted per container in `/metrics` and told by a notice in the container's own stream (see [Noisy neighbours](#noisy-neighbours-rate-limits-fair-shares-and-drop-notices)). Measured on the times Docker stamped the lines. `0`: no limit.")
    public static let rateBurst = LogOption(
        name: "rate-burst", defaultDescription: "rate-limit",
        summary: "Messages the rate limit lets through at once after a quieter spell: the size of a token bucket refilled at `rate-limit` per second. Needs `rate-limit`.")
}

extension EffectiveValues {
    /// `rate-limit` and `rate-burst`; nil when there is no limit. A `rate-burst` of a
    /// container without a limit is refused (it would do nothing); a host-wide one is
    /// left for the containers that have a limit.
    func rateLimit() throws(OptionError) -> RateLimit? {
        var limit = 0
        if let (text, source) = value(LogOptions.rateLimit) {
            guard let parsed = Int(text), parsed >= 0, parsed <= RateLimit.maximumMessagesPerSecond else {
                throw .invalid(LogOptions.rateLimit, text, source: source,
                               expected: "a whole number of messages per second from 0 (no limit) to \(RateLimit.maximumMessagesPerSecond), such as 1000")
            }
            limit = parsed
        }
        var burst = limit
        if let (text, source) = value(LogOptions.rateBurst) {
            guard let parsed = Int(text), parsed >= 1, parsed <= RateLimit.maximumBurst else {
                throw .invalid(LogOptions.rateBurst, text, source: source,
                               expected: "a whole number of messages from 1 to \(RateLimit.maximumBurst), such as 2000")
            }
            if limit == 0 && source == .logOpt {
                throw .invalid(LogOptions.rateBurst, text, source: source,
                               expected: "it is the size of rate-limit's bucket: set rate-limit too (here or host-wide with RATE_LIMIT)")
            }
            burst = parsed
        }
        return limit == 0 ? nil : RateLimit(messagesPerSecond: limit, burst: burst)
    }
}
