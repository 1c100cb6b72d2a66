import LogshipSystem

/// How often the waits below look at their condition: at once, then after 0.1 ms, and
/// less often the longer it takes, up to every 5 ms: a condition that is nearly there
/// costs no time, and a long wait does not take a core from the threads under test.
private struct PollInterval {
    private var nanoseconds: Int64 = 100_000

    mutating func pause() {
        sleep(nanoseconds: nanoseconds)
        nanoseconds = min(nanoseconds * 2, 5_000_000)
    }
}

/// Waits until `condition` holds, looking at it every few milliseconds, for at most
/// `timeout` seconds; returns whether it held. The one way a test waits for another
/// thread or process: never a fixed sleep, which is either too short on a loaded
/// machine or wasted time on an idle one. The timeout only bounds how long a broken
/// test hangs, so it is generous.
public func waitUntil(timeout seconds: Double = 20, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = MonotonicClock.now() + Int64(seconds * 1e9)
    var interval = PollInterval()
    while MonotonicClock.now() < deadline {
        if try condition() { return true }
        interval.pause()
    }
    return try condition()
}

/// For the opposite claim, that something does not happen (a producer stays blocked, a
/// destination is not retired): true when `condition` held every time it was looked at
/// during `seconds`. No event marks that nothing happened, so this is the one fixed
/// wait a test may have; keep it short, it is spent in full whenever the test passes.
public func holdsThroughout(seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let end = MonotonicClock.now() + Int64(seconds * 1e9)
    var interval = PollInterval()
    while MonotonicClock.now() < end {
        guard try condition() else { return false }
        interval.pause()
    }
    return try condition()
}
