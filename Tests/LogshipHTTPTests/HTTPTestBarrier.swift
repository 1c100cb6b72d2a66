import LogshipSystem
import Synchronization

/// A one-shot meeting point for `count` threads: each call to `arriveAndWait` counts
/// one arrival and blocks until `count` arrivals have been made or its deadline
/// passes. Used to prove that handlers really run at the same time, and to hold a
/// handler inside a request until the test lets it go.
final class HTTPTestBarrier: Sendable {
    let count: Int
    private let arrivals = Mutex<Int>(0)
    /// Wakes the waiters when the last arrival comes in.
    private let lock = ConditionLock()

    init(count: Int) {
        precondition(count > 0)
        self.count = count
    }

    /// Arrivals so far, including those whose wait has timed out.
    var arrived: Int { arrivals.withLock { $0 } }

    /// Counts this arrival, then waits until all `count` have arrived (true) or
    /// `seconds` pass first (false). Arriving after the barrier is complete returns
    /// true at once.
    func arriveAndWait(seconds: Double) -> Bool {
        let deadline = MonotonicClock.now() + Int64(seconds * 1e9)
        return lock.withLock {
            if arrivals.withLock({ $0 += 1; return $0 }) >= count {
                lock.broadcast()
                return true
            }
            while arrived < count {
                if MonotonicClock.now() >= deadline { return false }
                lock.wait(until: deadline)
            }
            return true
        }
    }
}
