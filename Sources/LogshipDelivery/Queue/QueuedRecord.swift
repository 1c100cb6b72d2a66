/// One enqueued batch as the queue tracks it: where it sits in the queue's order, and
/// whether it is on disk. A record that is not (the spool could not take it) exists
/// only in memory, at a position in a segment that has no file (`QueueSpool`).
struct QueuedRecord {
    var position: SpoolPosition
    var messages: Int
    var bytes: Int
    var onDisk: Bool
}
