import LogshipConfig

/// Decides, line by line, whether a stream's line goes to a destination: every line,
/// or those within the container's `rate-limit`. A generic parameter of the output, so
/// without a limit the check compiles away.
protocol LineAdmission {
    /// Whether the line Docker stamped at `timeNano` goes out.
    mutating func admit(at timeNano: Int64) -> Bool
    /// Lines refused since the last call.
    mutating func takeRefused() -> Int
}

/// No `rate-limit`.
struct AdmitEveryLine: LineAdmission {
    @inline(__always) func admit(at timeNano: Int64) -> Bool { true }
    @inline(__always) func takeRefused() -> Int { 0 }
}

/// `rate-limit` for one stream and destination: a token bucket of `burst` tokens
/// refilled at `messagesPerSecond`, run on the times Docker stamped the lines. So no
/// clock is read per line, the outcome of a given stream is exact and repeatable (a
/// burst of 10,000 lines stamped over one second at `rate-limit=100` passes 100 + 99),
/// and a backlog read after a plugin restart is limited as it was printed, not as fast
/// as it is read back. A clock that steps back refills nothing until it passes the
/// last time seen again.
///
/// Credit is kept in message-nanoseconds (a message costs 10^9, a nanosecond adds
/// `messagesPerSecond`), in integers: no rounding drift.
struct TokenBucket: LineAdmission {
    private static let cost: Int64 = 1_000_000_000
    private let rate: Int64
    private let capacity: Int64
    /// How long an empty bucket takes to fill: longer gaps add no more than this.
    private let fillNanoseconds: Int64
    private var credit: Int64
    private var last = Int64.min
    private var refused = 0

    init(_ limit: RateLimit) {
        rate = Int64(limit.messagesPerSecond)
        capacity = Int64(limit.burst) * Self.cost
        fillNanoseconds = capacity / rate + 1
        credit = capacity
    }

    @inline(__always)
    mutating func admit(at timeNano: Int64) -> Bool {
        if timeNano > last {
            let elapsed = last == .min ? fillNanoseconds : min(timeNano &- last, fillNanoseconds)
            credit = min(capacity, credit + elapsed * rate)
            last = timeNano
        }
        if credit >= Self.cost {
            credit -= Self.cost
            return true
        }
        refused += 1
        return false
    }

    mutating func takeRefused() -> Int {
        defer { refused = 0 }
        return refused
    }
}
