/// The lanes of one queue, by number (what the queue's order and the streams' handles
/// name, so the hot path never hashes a container ID) and by container ID.
struct LaneTable {
    private(set) var lanes: [QueueLane?] = []
    private var numbers: [String: Int32] = [:]
    private var freeNumbers: [Int32] = []
    /// Lanes some stream writes to now: the "active containers" fair shares divide by.
    private(set) var registered = 0
    /// Lanes whose spool is configured but could not be opened yet, retried by the queue.
    var awaitingSpool: [Int32] = []

    subscript(number: Int32) -> QueueLane? { number >= 0 && Int(number) < lanes.count ? lanes[Int(number)] : nil }

    func number(of key: String) -> Int32? { numbers[key] }

    mutating func insert(_ lane: QueueLane) -> Int32 {
        let number = freeNumbers.popLast() ?? Int32(lanes.count)
        if Int(number) == lanes.count { lanes.append(lane) } else { lanes[Int(number)] = lane }
        numbers[lane.key] = number
        return number
    }

    mutating func remove(_ number: Int32) {
        guard let lane = self[number] else { return }
        numbers[lane.key] = nil
        lanes[Int(number)] = nil
        freeNumbers.append(number)
    }

    mutating func register(_ lane: QueueLane) {
        lane.registrations += 1
        if lane.registrations == 1 { registered += 1 }
    }

    mutating func unregister(_ lane: QueueLane) {
        guard lane.registrations > 0 else { return }
        lane.registrations -= 1
        if lane.registrations == 0 { registered -= 1 }
    }

    /// The lane holding the most by `weight` (the incoming lane counted with the bytes
    /// it brings), among those `canLose` allows: who loses first when the queue is full.
    /// A scan of the lanes, run only when the queue is full, once per segment or chunk
    /// given up, never per message.
    func heaviest(incoming: QueueLane, adding bytes: Int, weight: (QueueLane) -> Int,
                  canLose: (QueueLane) -> Bool) -> (number: Int32, lane: QueueLane)? {
        var best: (number: Int32, lane: QueueLane, weight: Int)?
        for (index, slot) in lanes.enumerated() {
            guard let lane = slot, canLose(lane) else { continue }
            let w = weight(lane) + (lane === incoming ? bytes : 0)
            if best == nil || w > best!.weight { best = (Int32(index), lane, w) }
        }
        return best.map { ($0.number, $0.lane) }
    }
}
