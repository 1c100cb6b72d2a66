/// Records handed to the sender and not yet acknowledged, in order: turns "the first
/// N messages are delivered" into the position of the first message that is not, which
/// the spool persists as its cursor.
struct InFlightRecords {
    private var records: [QueuedRecord] = []

    var isEmpty: Bool { records.isEmpty }

    mutating func append(_ record: QueuedRecord) { records.append(record) }
    mutating func append(contentsOf more: [QueuedRecord]) { records += more }

    /// The first `count` messages handed out are delivered. Returns the position of the
    /// first message that is not (`next`, where reading resumes, once every record
    /// handed out is done); nil when nothing was in flight.
    mutating func acknowledge(_ count: Int, next: SpoolPosition) -> SpoolPosition? {
        var remaining = count
        var firstUndelivered: SpoolPosition?
        while remaining > 0, !records.isEmpty {
            if remaining >= records[0].messages {
                remaining -= records[0].messages
                records.removeFirst()
                firstUndelivered = records.first?.position ?? next
            } else {
                // Part of a record: its position moves on by message.
                records[0].position.message += remaining
                records[0].messages -= remaining
                firstUndelivered = records[0].position
                remaining = 0
            }
        }
        return firstUndelivered
    }
}
