import LogshipWire

/// The message a multi-line joiner holds for one stream (stdout or stderr) while it may
/// still grow: its lines joined by LF, with its first line's time and severity.
struct HeldMessage {
    var bytes: [UInt8] = []
    /// A message of one line held without a copy: the line, still in the caller's read
    /// buffer. Copied into `bytes` when a line joins it or when that read is over
    /// (`MultilineJoiner.endOfRead`); most held lines are sent before either happens.
    var borrowed: UnsafeRawBufferPointer?
    var lines = 0
    var timeNano: Int64 = 0
    /// From the first line's sd-daemon prefix (`level-from=prefix`), when it had one.
    var severity: Severity?
    var context = MessageContext.plain
    /// Where the trailing tentative lines begin (the offset of the LF before the first),
    /// how many there are and when the first was read; nil when there are none.
    var tentativeOffset: Int?
    var tentativeLines = 0
    var tentativeTimeNano: Int64 = 0
    /// Monotonic time at which it is sent if no line joins it; `.max` when empty.
    var deadline = Int64.max

    var isEmpty: Bool { lines == 0 }

    /// The message's length in bytes.
    var count: Int { borrowed?.count ?? bytes.count }

    /// Copies a borrowed line into `bytes`.
    mutating func ownBytes() {
        guard let line = borrowed else { return }
        bytes.append(contentsOf: line)
        borrowed = nil
    }

    /// Empties it for the next message; a buffer grown for a huge message is given back.
    mutating func reset() {
        borrowed = nil
        if bytes.capacity > 64 * 1024 {
            bytes = []
        } else {
            bytes.removeAll(keepingCapacity: true)
        }
        lines = 0
        severity = nil
        context = .plain
        tentativeOffset = nil
        tentativeLines = 0
        deadline = .max
    }
}

/// A message as the joiner hands it out; `bytes` is valid during that call only.
public struct JoinedMessage {
    public var source: LogSource
    public var timeNano: Int64
    public var bytes: UnsafeRawBufferPointer
    public var severity: Severity?
    public var lines: Int
}
