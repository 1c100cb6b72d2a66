/// Formatted messages back to back in one buffer, with where each one ends.
///
/// The unit the pipeline hands to a queue and a sender writes: many messages, one
/// copy, one lock, one `send`. Boundaries are kept because datagram transports send
/// one message per datagram and drop accounting counts messages, not bytes.
public struct MessageBatch: Sendable {
    public var bytes: [UInt8] = []
    /// End offset of each message in `bytes`, ascending.
    public var ends: [Int] = []

    public init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    public var isEmpty: Bool { ends.isEmpty }
    public var count: Int { ends.count }

    /// Marks everything appended since the previous message as one message.
    @inline(__always)
    public mutating func endMessage() {
        ends.append(bytes.count)
    }

    /// Drops the messages, keeping the memory for the next batch.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }

    /// The start offset of message `index`.
    @inline(__always)
    public func start(of index: Int) -> Int { index == 0 ? 0 : ends[index - 1] }

    /// Removes the first `count` messages (after a partial send), keeping the rest.
    public mutating func removeFirst(messages count: Int) {
        guard count > 0 else { return }
        guard count < ends.count else { removeAll(); return }
        let cut = ends[count - 1]
        bytes.removeFirst(cut)
        ends.removeFirst(count)
        for i in ends.indices { ends[i] -= cut }
    }

    /// Appends all of `other`'s messages.
    public mutating func append(contentsOf other: MessageBatch) {
        let base = bytes.count
        bytes.append(contentsOf: other.bytes)
        for end in other.ends { ends.append(base + end) }
    }

    /// Appends `other`'s messages `messages` (indexes into `other`), in one copy.
    mutating func append(contentsOf other: MessageBatch, messages: Range<Int>) {
        guard !messages.isEmpty else { return }
        let first = other.start(of: messages.lowerBound)
        let shift = bytes.count - first
        bytes.append(contentsOf: other.bytes[first..<other.ends[messages.upperBound - 1]])
        for index in messages { ends.append(other.ends[index] + shift) }
    }
}
