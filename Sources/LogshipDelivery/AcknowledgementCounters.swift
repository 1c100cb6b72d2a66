import LogshipSystem
import Synchronization

/// What a destination whose receiver acknowledges each message (RELP) knows about its
/// acknowledgements, kept live by the session while it waits for answers: for
/// `/metrics`, and for `/health`, which counts a session that gets no answers as not
/// connected.
public final class AcknowledgementCounters: Sendable {
    /// Messages the receiver acknowledged (RELP `rsp 200`).
    let acknowledged = Atomic<Int>(0)
    /// Messages written and waiting for their answer.
    let inFlight = Atomic<Int>(0)
    /// Messages written again: they were in flight when a session broke, or after one
    /// the receiver refused. Some of them had reached the receiver: they arrive twice.
    let resent = Atomic<Int>(0)
    /// Answers other than 200.
    let refused = Atomic<Int>(0)
    /// While messages wait for answers: when the last answer came (or the first of them
    /// was written, if none came since); 0 when nothing waits.
    let waitingSince = Atomic<Int64>(0)

    /// How long the receiver may leave written messages unanswered before `/health`
    /// calls the destination not connected. A receiver answers a window in milliseconds;
    /// the session itself is given up only after the send timeout (30 s).
    static let unansweredAfterNanoseconds: Int64 = 5_000_000_000

    init() {}

    /// Seconds without an answer while messages wait, when that is past
    /// `unansweredAfterNanoseconds`; nil otherwise.
    func unansweredSeconds(now: Int64 = MonotonicClock.now()) -> Int? {
        let since = waitingSince.load(ordering: .relaxed)
        guard since > 0, now - since > Self.unansweredAfterNanoseconds else { return nil }
        return Int((now - since) / 1_000_000_000)
    }

    /// A session's window changed: `count` messages now wait; `answered` says whether
    /// this change was an answer (progress), as opposed to new writes.
    func windowChanged(inFlight count: Int, answered: Bool, now: Int64) {
        inFlight.store(count, ordering: .relaxed)
        if count == 0 {
            waitingSince.store(0, ordering: .relaxed)
        } else if answered || waitingSince.load(ordering: .relaxed) == 0 {
            waitingSince.store(now, ordering: .relaxed)
        }
    }
}
