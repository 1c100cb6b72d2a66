/// Joins the pieces of lines that Docker split at 16 KiB back into whole lines.
///
/// Pieces of one line share a partial id; stdout and stderr are copied by separate
/// goroutines in the daemon, so their pieces interleave and the id keeps them apart.
/// A line that grows past `maxLineBytes` is emitted in pieces of that size, so one
/// runaway line cannot take unbounded memory.
///
/// A piece is applied at most once: pieces carry an ordinal, and one whose ordinal a
/// line in progress (or one that recently ended) has already seen is skipped. After a
/// plugin restart the reader restores the lines in progress from a checkpoint and then
/// reads again FIFO bytes that were not consumed yet, some of which the checkpoint
/// already holds; this is what keeps such a line whole instead of doubling its pieces.
public struct Reassembler {
    public let maxLineBytes: Int
    /// Lines put back together from two or more pieces (a plugin-wide metric).
    public private(set) var reassembledLines = 0
    /// Pieces skipped because they had been applied already (read again after a
    /// restart), and their line bytes.
    public private(set) var repeatedPieces = 0
    public private(set) var repeatedBytes = 0

    struct Pending {
        var id: [UInt8]
        var source: LogSource
        var timeNano: Int64
        var bytes: [UInt8]
        var pieces: Int
        /// The highest ordinal applied; 0 when the daemon sends none (before 18.06).
        var lastOrdinal: Int32
    }

    /// A line that ended, remembered so that its pieces read again are not taken for
    /// the start of a new line.
    struct Finished {
        var id: [UInt8]
        var source: LogSource
        var lastOrdinal: Int32
        /// `changes` when it ended, to tell what ended since the last checkpoint.
        var endedAt: Int
    }

    private(set) var pending: [Pending] = []
    private(set) var finished: [Finished] = []
    /// Buffers of finished lines, kept to be reused by the next split line.
    private var spare: [[UInt8]] = []
    /// More lines in flight than this means a broken writer; the oldest is flushed.
    static let maxPendingLines = 64
    /// Ended lines remembered for de-duplication (their pieces are at most one FIFO
    /// read behind, so a few dozen is plenty).
    static let rememberedLines = 64
    /// Bumped whenever the lines in progress change: a checkpoint is due when it moved.
    public private(set) var changes = 0

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
        let ordinal = entry.partialMetadata?.ordinal ?? 0
        let existing = pendingIndex(id: id, source: source)
        if ordinal > 0 && !id.isEmpty && isRepeated(id: id, source: source, ordinal: ordinal, pendingAt: existing) {
            repeatedPieces += 1
            repeatedBytes += entry.line.count
            return
        }
        let index = existing ?? startPending(id: id, source: source, timeNano: entry.timeNano, emit: emit)
        pending[index].lastOrdinal = max(pending[index].lastOrdinal, ordinal)
        append(entry.line, to: index, emit: emit)
        if entry.partialMetadata?.last == true {
            finish(at: index, emit: emit)
        }
    }

    private func isRepeated(id: UnsafeRawBufferPointer, source: LogSource, ordinal: Int32, pendingAt index: Int?) -> Bool {
        if let index { return ordinal <= pending[index].lastOrdinal }
        return finished.contains { $0.source == source && $0.id.elementsEqual(id) && ordinal <= $0.lastOrdinal }
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
        if pending.count >= Self.maxPendingLines { finish(at: 0, emit: emit) }
        var buffer = spare.popLast() ?? []
        buffer.removeAll(keepingCapacity: true)
        pending.append(Pending(id: Array(id), source: source, timeNano: timeNano, bytes: buffer, pieces: 0, lastOrdinal: 0))
        return pending.count - 1
    }

    private mutating func append(_ piece: UnsafeRawBufferPointer, to index: Int, emit: (Line) -> Void) {
        changes += 1
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
        changes += 1
        emitPending(at: index, emit: emit)
        if pending[index].pieces > 1 { reassembledLines += 1 }
        var done = pending.remove(at: index)
        if !done.id.isEmpty {
            if finished.count >= Self.rememberedLines { finished.removeFirst() }
            finished.append(Finished(id: done.id, source: done.source, lastOrdinal: done.lastOrdinal, endedAt: changes))
        }
        if spare.count < 4 && done.bytes.capacity <= 4 * maxLineBytes {
            done.bytes.removeAll(keepingCapacity: true)
            spare.append(done.bytes)
        }
    }

    /// Takes over a restored checkpoint's lines (`restore(checkpoint:)`).
    mutating func restoreState(pending restored: [Pending], finished ended: [Finished]) {
        pending = restored
        finished = ended
        changes += 1
    }

    private func emitPending(at index: Int, emit: (Line) -> Void) {
        let item = pending[index]
        item.bytes.withUnsafeBytes { bytes in
            emit(Line(source: item.source, timeNano: item.timeNano, bytes: bytes))
        }
    }
}
