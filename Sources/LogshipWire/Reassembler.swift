/// One log line ready to format: a whole line, a reassembled line, or a piece of a
/// line longer than the configured maximum. `bytes` is valid only during the
/// `emit` call that hands it out.
public struct Line {
    public var source: LogSource
    public var timeNano: Int64
    public var bytes: UnsafeRawBufferPointer

    public init(source: LogSource, timeNano: Int64, bytes: UnsafeRawBufferPointer) {
        self.source = source
        self.timeNano = timeNano
        self.bytes = bytes
    }
}

/// Joins the pieces of lines that Docker split at 16 KiB back into whole lines.
///
/// Pieces of one line share a partial id; stdout and stderr are copied by separate
/// goroutines in the daemon, so their pieces interleave and the id keeps them apart.
/// A line that grows past `maxLineBytes` is emitted in pieces of that size, so one
/// runaway line cannot take unbounded memory.
public struct Reassembler {
    public let maxLineBytes: Int
    /// Lines put back together from two or more pieces (a plugin-wide metric).
    public private(set) var reassembledLines = 0

    private struct Pending {
        var id: [UInt8]
        var source: LogSource
        var timeNano: Int64
        var bytes: [UInt8]
        var pieces: Int
    }

    private var pending: [Pending] = []
    /// Buffers of finished lines, kept to be reused by the next split line.
    private var spare: [[UInt8]] = []
    /// More lines in flight than this means a broken writer; the oldest is flushed.
    private let maxPendingLines = 64

    public init(maxLineBytes: Int = 1 << 20) {
        precondition(maxLineBytes > 0)
        self.maxLineBytes = maxLineBytes
    }

    public var hasPending: Bool { !pending.isEmpty }

    public mutating func push(_ entry: LogEntry, emit: (Line) -> Void) {
        let source = entry.source
        guard entry.partial else {
            if let index = legacyPendingIndex(for: source) {
                // Daemons before 18.05 marked only the non-final pieces as partial and
                // sent no metadata: the next whole entry of that source ends the line.
                append(entry.line, to: index, emit: emit)
                finish(at: index, emit: emit)
            } else {
                emitWhole(entry.line, source: source, timeNano: entry.timeNano, emit: emit)
            }
            return
        }
        let id = entry.partialMetadata?.id ?? UnsafeRawBufferPointer(start: nil, count: 0)
        let index = pendingIndex(id: id, source: source) ?? startPending(id: id, source: source, timeNano: entry.timeNano, emit: emit)
        append(entry.line, to: index, emit: emit)
        if entry.partialMetadata?.last == true {
            finish(at: index, emit: emit)
        }
    }

    /// A whole line longer than the maximum (possible when `maxLineBytes` is below
    /// Docker's 16 KiB) goes out in pieces too, like a long reassembled one.
    private func emitWhole(_ line: UnsafeRawBufferPointer, source: LogSource, timeNano: Int64, emit: (Line) -> Void) {
        guard line.count > maxLineBytes else {
            emit(Line(source: source, timeNano: timeNano, bytes: line))
            return
        }
        var offset = 0
        while offset < line.count {
            let end = min(offset + maxLineBytes, line.count)
            emit(Line(source: source, timeNano: timeNano, bytes: UnsafeRawBufferPointer(rebasing: line[offset..<end])))
            offset = end
        }
    }

    /// Emits every unfinished line as it is: the stream ended (EOF) before its last piece.
    public mutating func flush(emit: (Line) -> Void) {
        while !pending.isEmpty { finish(at: 0, emit: emit) }
    }

    private func pendingIndex(id: UnsafeRawBufferPointer, source: LogSource) -> Int? {
        pending.firstIndex { $0.source == source && $0.id.elementsEqual(id) }
    }

    private func legacyPendingIndex(for source: LogSource) -> Int? {
        pending.firstIndex { $0.source == source && $0.id.isEmpty }
    }

    private mutating func startPending(id: UnsafeRawBufferPointer, source: LogSource, timeNano: Int64, emit: (Line) -> Void) -> Int {
        if pending.count >= maxPendingLines { finish(at: 0, emit: emit) }
        var buffer = spare.popLast() ?? []
        buffer.removeAll(keepingCapacity: true)
        pending.append(Pending(id: Array(id), source: source, timeNano: timeNano, bytes: buffer, pieces: 0))
        return pending.count - 1
    }

    private mutating func append(_ piece: UnsafeRawBufferPointer, to index: Int, emit: (Line) -> Void) {
        pending[index].pieces += 1
        var remaining = piece
        while !remaining.isEmpty {
            let room = maxLineBytes - pending[index].bytes.count
            let take = min(room, remaining.count)
            pending[index].bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: remaining[..<take]))
            remaining = UnsafeRawBufferPointer(rebasing: remaining[take...])
            if pending[index].bytes.count == maxLineBytes && !remaining.isEmpty {
                emitPending(at: index, emit: emit)
                pending[index].bytes.removeAll(keepingCapacity: true)
            }
        }
    }

    private mutating func finish(at index: Int, emit: (Line) -> Void) {
        emitPending(at: index, emit: emit)
        if pending[index].pieces > 1 { reassembledLines += 1 }
        var done = pending.remove(at: index)
        if spare.count < 4 && done.bytes.capacity <= 4 * maxLineBytes {
            done.bytes.removeAll(keepingCapacity: true)
            spare.append(done.bytes)
        }
    }

    private func emitPending(at index: Int, emit: (Line) -> Void) {
        let item = pending[index]
        item.bytes.withUnsafeBytes { bytes in
            emit(Line(source: item.source, timeNano: item.timeNano, bytes: bytes))
        }
    }
}
