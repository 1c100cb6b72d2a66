import Synchronization

/// Lets one kind of event through at most once per interval and counts the rest, so
/// a dead backend produces a line every few seconds, not one per dropped entry.
public final class RateLimiter: Sendable {
    private struct State { var nextAllowed: Int64 = 0; var suppressed = 0 }
    private let interval: Int64
    private let state = Mutex(State())

    public init(intervalNanoseconds: Int64 = 10_000_000_000) {
        interval = intervalNanoseconds
    }

    /// Returns nil when the event should be suppressed; otherwise how many were
    /// suppressed since the last one that went through.
    public func admit(now: Int64 = MonotonicClock.now()) -> Int? {
        state.withLock { s in
            guard now >= s.nextAllowed else {
                s.suppressed += 1
                return nil
            }
            let suppressed = s.suppressed
            s.suppressed = 0
            s.nextAllowed = now + interval
            return suppressed
        }
    }
}
