import Glibc

/// Signal handling without async-signal-unsafe handlers: the signals are blocked in
/// every thread and one thread receives them with `sigwait`.
public enum Signals {
    /// Ignores SIGPIPE (a closed peer must be an error return, not process death) and
    /// blocks `signals` so that threads started later inherit the mask.
    public static func prepare(blocking signals: [Int32]) {
        signal(SIGPIPE, SIG_IGN)
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Blocks until one of `signals` arrives; returns it.
    public static func wait(for signals: [Int32]) -> Int32 {
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        var received: Int32 = 0
        sigwait(&set, &received)
        return received
    }
}
