/// Which lane each unit of a queue comes from, in order, as runs: "3 records of lane 7,
/// then 1 of lane 2, ...". Consecutive units of one lane share a run, so one busy
/// container costs one run however many records it queues.
///
/// The queue keeps two: the order in which records were enqueued (what the sender
/// reads next, across lanes; a unit is a record) and what the sender has in flight (a
/// unit is a message), to turn "the first N messages are delivered" into each lane's
/// progress.
struct LaneRuns {
    struct Run {
        var lane: Int32
        var count: Int
    }

    /// The lane number of units that belong to no lane (drop notices in flight).
    static let noLane: Int32 = -1

    private var runs = RingBuffer<Run>()

    var isEmpty: Bool { runs.isEmpty }
    var first: Run? { runs.first }

    mutating func append(lane: Int32, count: Int) {
        guard count > 0 else { return }
        if var last = runs.last, last.lane == lane {
            last.count += count
            runs.last = last
        } else {
            runs.append(Run(lane: lane, count: count))
        }
    }

    /// Removes `count` units from the front, all of the first run's lane.
    mutating func removeFirst(_ count: Int) {
        guard var first = runs.first else { return }
        precondition(count <= first.count)
        first.count -= count
        if first.count == 0 { runs.popFirst() } else { runs.first = first }
    }
}
