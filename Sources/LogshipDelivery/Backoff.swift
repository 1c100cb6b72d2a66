/// Jittered exponential backoff between connection attempts: quick retries for a
/// blip, a capped pace for an outage, and jitter so that many destinations that
/// failed together do not reconnect in lockstep.
public struct Backoff: Sendable {
    public let initialNanoseconds: Int64
    public let maximumNanoseconds: Int64
    private var current: Int64
    private var random = SystemRandomNumberGenerator()

    public init(initialNanoseconds: Int64 = 100_000_000, maximumNanoseconds: Int64 = 5_000_000_000) {
        self.initialNanoseconds = initialNanoseconds
        self.maximumNanoseconds = maximumNanoseconds
        current = initialNanoseconds
    }

    /// The delay before the next attempt: the current step ±20 %, then doubled.
    public mutating func next() -> Int64 {
        let step = current
        current = min(current * 2, maximumNanoseconds)
        let jitter = step / 5
        return step - jitter + Int64.random(in: 0...(2 * jitter), using: &random)
    }

    public mutating func reset() { current = initialNanoseconds }
}
