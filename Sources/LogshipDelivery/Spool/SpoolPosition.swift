/// Where a message sits in a queue: a record (one enqueued batch) in a segment, and
/// how many of that record's messages come before it. One total order for everything
/// a queue holds: a record on disk is at its segment file and byte offset; a record the
/// spool could not take (or a queue without a spool) is in a segment number that has
/// no file (`Spool.reserveSegmentNumber`, or 0), and `offset` numbers its records.
public struct SpoolPosition: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var segment: UInt64
    public var offset: Int
    public var message: Int

    public init(segment: UInt64, offset: Int, message: Int = 0) {
        self.segment = segment
        self.offset = offset
        self.message = message
    }

    public static func < (a: SpoolPosition, b: SpoolPosition) -> Bool {
        (a.segment, a.offset, a.message) < (b.segment, b.offset, b.message)
    }

    public var description: String { "\(segment):\(offset):\(message)" }
}
