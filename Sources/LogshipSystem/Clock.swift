import Glibc

/// Monotonic time in nanoseconds, for timeouts and intervals.
public enum MonotonicClock {
    public static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

/// Wall-clock time, for the timestamps of messages logship writes itself (Docker stamps
/// the containers' lines) and for reporting when something happened (`/metrics`).
public enum WallClock {
    /// Nanoseconds since the Unix epoch.
    public static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Seconds since the Unix epoch.
    public static func secondsSinceEpoch() -> Double {
        Double(now()) / 1e9
    }
}

/// Sleeps the calling thread.
public func sleep(nanoseconds: Int64) {
    var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}
