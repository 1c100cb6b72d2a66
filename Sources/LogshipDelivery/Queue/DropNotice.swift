/// Writes a message of logship's own into a container's stream, with the container's
/// tag and format at severity warning. The queue calls it from the destination's sender
/// thread only, under the queue's lock.
public protocol DropNoticeWriter: AnyObject {
    func append(notice text: String, to batch: inout MessageBatch)
}

/// The drops of one lane since its last notice, and when the first of them happened.
struct DropTally: Equatable {
    var overflow = 0
    var rateLimited = 0
    /// Monotonic time of the first drop.
    let since: Int64

    var total: Int { overflow + rateLimited }
}

/// The text of a drop notice. The count comes first, so a tool can read it with one
/// pattern whatever the reasons were.
public enum DropNotice {
    /// At most one notice per lane (a container and a destination) this often.
    public static let intervalNanoseconds: Int64 = 10_000_000_000

    /// - Parameters:
    ///   - seconds: how long ago the first of the drops happened.
    ///   - overflowCause: what filled up ("spool" or "queue").
    ///   - rateLimit: the limit in option form (`rate-limit=100`), nil without one.
    static func text(_ tally: DropTally, seconds: Int, overflowCause: String, rateLimit: String?) -> String {
        let byLimit = "by \(rateLimit ?? "the rate limit")"
        let byOverflow = "because the destination's \(overflowCause) was full and this container held the largest share of it"
        let head = "logship: \(tally.total) messages of this container dropped"
        let window = "in the last \(seconds) s"
        switch (tally.rateLimited, tally.overflow) {
        case (_, 0): return "\(head) \(byLimit) \(window)"
        case (0, _): return "\(head) \(byOverflow) \(window)"
        default: return "\(head) \(window): \(tally.rateLimited) \(byLimit), \(tally.overflow) \(byOverflow)"
        }
    }
}
