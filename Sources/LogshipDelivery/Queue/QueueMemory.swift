/// The newest records of one lane of a queue, in memory, packed into chunks the sender
/// takes whole (one swap, no copy) when nothing of another lane comes between, or
/// record by record when lanes interleave.
///
/// Always a contiguous tail of the lane: records arrive at the back and leave from the
/// front (taken by the sender, or let go to stay within the memory budget), so
/// everything of the lane older than its first record in memory is on disk or gone.
struct QueueMemory {
    struct Chunk {
        var batch: MessageBatch
        var records: [QueuedRecord]
        /// Records (and their messages) already handed to the sender.
        var taken = 0
        var takenMessages = 0

        var isUntouched: Bool { taken == 0 }
    }

    /// Batches up to this size are packed into one chunk.
    static let chunkBytes = 256 * 1024
    /// What a lane's first chunk reserves: quiet containers' lanes stay small, a busy
    /// lane's chunks grow to `chunkBytes` and are then recycled at that size.
    static let initialChunkCapacity = 16 * 1024
    /// Emptied chunks kept for reuse, so the steady state allocates nothing; few, since
    /// every container has a lane.
    static let spareChunks = 2

    private(set) var chunks: [Chunk] = []
    /// A record once found the last chunk full: this lane is busy.
    private var hasFilledAChunk = false
    private var spare: [Chunk] = []
    /// Bytes of the records not yet taken.
    private(set) var bytes = 0
    /// The next record starts a chunk of its own (see `startNewChunk`).
    private var sealed = false

    var isEmpty: Bool { chunks.isEmpty }
    var firstPosition: SpoolPosition? { chunks.first.map { $0.records[$0.taken].position } }
    /// Whether letting the first chunk go would lose messages (records not on disk).
    var firstChunkHoldsTheOnlyCopy: Bool { chunks.first.map { $0.records[$0.taken...].contains { !$0.onDisk } } ?? false }
    /// Records left in the first chunk, and whether the sender may take it whole.
    var firstChunk: (records: Int, whole: Bool)? { chunks.first.map { ($0.records.count - $0.taken, $0.isUntouched) } }

    mutating func store(_ batch: MessageBatch, as record: QueuedRecord) {
        let full = !chunks.isEmpty && chunks[chunks.count - 1].batch.bytes.count + batch.bytes.count > Self.chunkBytes
        if full { hasFilledAChunk = true }
        if chunks.isEmpty || sealed || full {
            // A lane that has filled a chunk is busy: its chunks start at full size, since
            // growing one to it would copy its bytes again and again (a spare may be a
            // small buffer the sender handed back).
            var chunk = spare.popLast()
                ?? Chunk(batch: MessageBatch(capacity: min(Self.chunkBytes, max(Self.initialChunkCapacity, batch.bytes.count))), records: [])
            if hasFilledAChunk { chunk.batch.bytes.reserveCapacity(Self.chunkBytes) }
            chunks.append(chunk)
            sealed = false
        }
        chunks[chunks.count - 1].batch.append(contentsOf: batch)
        chunks[chunks.count - 1].records.append(record)
        bytes += batch.bytes.count
    }

    /// The next record goes into a new chunk: records on disk that memory never had
    /// come between the last one and the next (a spool opened late, with an earlier
    /// run's records), so the sender must not take both in one piece.
    mutating func startNewChunk() {
        if !chunks.isEmpty { sealed = true }
    }

    /// Lets the oldest chunk go, telling `each` about its records not yet taken (those
    /// not on disk are lost). Records are handed over one by one, never as an array
    /// that would share the chunk's storage and make its recycling copy it.
    mutating func dropFirst(_ each: (QueuedRecord) -> Void) {
        let chunk = chunks.removeFirst()
        for record in chunk.records[chunk.taken...] {
            bytes -= record.bytes
            each(record)
        }
        keepSpare(chunk)
    }

    /// Lets go of the chunks that start in a segment before `segment` (it was evicted
    /// from disk), telling `each` about their records not yet taken.
    mutating func dropChunks(startingBefore segment: UInt64, _ each: (QueuedRecord) -> Void) {
        while let first = firstPosition, first.segment < segment {
            dropFirst(each)
        }
    }

    /// Hands the whole oldest chunk, untouched, to the sender by swapping buffers with
    /// `batch`, which must be empty; tells `each` about its records.
    mutating func takeFirstChunk(into batch: inout MessageBatch, _ each: (QueuedRecord) -> Void) {
        var chunk = chunks.removeFirst()
        precondition(chunk.isUntouched && batch.isEmpty)
        bytes -= chunk.batch.bytes.count
        for record in chunk.records { each(record) }
        swap(&batch, &chunk.batch)
        keepSpare(chunk)
    }

    /// Copies the next `count` records (at most what the first chunk holds) into `batch`,
    /// telling `each` about them; returns how many it took.
    mutating func take(_ count: Int, into batch: inout MessageBatch, _ each: (QueuedRecord) -> Void) -> Int {
        let first = chunks[0].taken
        let last = min(chunks[0].records.count, first + count)
        var messages = 0
        for index in first..<last {
            let record = chunks[0].records[index]
            messages += record.messages
            bytes -= record.bytes
            each(record)
        }
        let start = chunks[0].takenMessages
        batch.append(contentsOf: chunks[0].batch, messages: start..<start + messages)
        chunks[0].taken = last
        chunks[0].takenMessages += messages
        if last == chunks[0].records.count { keepSpare(chunks.removeFirst()) }
        return last - first
    }

    private mutating func keepSpare(_ chunk: Chunk) {
        guard spare.count < Self.spareChunks else { return }
        var emptied = chunk
        emptied.batch.removeAll()
        emptied.records.removeAll(keepingCapacity: true)
        emptied.taken = 0
        emptied.takenMessages = 0
        spare.append(emptied)
    }
}
