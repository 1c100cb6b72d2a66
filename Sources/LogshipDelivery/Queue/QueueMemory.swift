/// The newest records of a queue, in memory, packed into chunks the sender writes with
/// one `send` each.
///
/// Always a contiguous tail of the queue: records arrive at the back and leave from
/// the front (taken by the sender, or let go to stay within the memory budget), so
/// everything older than the first record in memory is either on disk or gone.
struct QueueMemory {
    struct Chunk {
        var batch: MessageBatch
        var records: [QueuedRecord]
    }

    /// Batches up to this size are packed into one chunk.
    static let chunkBytes = 256 * 1024

    private(set) var chunks: [Chunk] = []
    /// Emptied chunks kept for reuse, so the steady state allocates nothing.
    private var spare: [Chunk] = []
    private(set) var bytes = 0

    var isEmpty: Bool { chunks.isEmpty }
    var firstPosition: SpoolPosition? { chunks.first?.records.first?.position }
    /// Whether letting the first chunk go would lose messages (records not on disk).
    var firstChunkHoldsTheOnlyCopy: Bool { chunks.first?.records.contains { !$0.onDisk } ?? false }

    mutating func store(_ batch: MessageBatch, as record: QueuedRecord) {
        if chunks.isEmpty || chunks[chunks.count - 1].batch.bytes.count + batch.bytes.count > Self.chunkBytes {
            chunks.append(spare.popLast() ?? Chunk(batch: MessageBatch(capacity: Self.chunkBytes), records: []))
        }
        chunks[chunks.count - 1].batch.append(contentsOf: batch)
        chunks[chunks.count - 1].records.append(record)
        bytes += batch.bytes.count
    }

    /// Lets the oldest chunk go; returns its records (those not on disk are lost).
    mutating func dropFirst() -> [QueuedRecord] {
        let chunk = chunks.removeFirst()
        let records = chunk.records
        recycle(chunk)
        return records
    }

    /// Lets go of the chunks that start in a segment before `segment` (it was evicted
    /// from disk); returns their records.
    mutating func dropChunks(startingBefore segment: UInt64) -> [QueuedRecord] {
        var records: [QueuedRecord] = []
        while let first = chunks.first?.records.first, first.position.segment < segment {
            records += dropFirst()
        }
        return records
    }

    /// Hands the oldest chunk's messages to the sender; returns its records.
    mutating func takeFirst(into batch: inout MessageBatch) -> [QueuedRecord] {
        var chunk = chunks.removeFirst()
        bytes -= chunk.batch.bytes.count
        let records = chunk.records
        if batch.isEmpty {
            swap(&batch, &chunk.batch)
        } else {
            batch.append(contentsOf: chunk.batch)
        }
        keepSpare(chunk)
        return records
    }

    private mutating func recycle(_ chunk: Chunk) {
        bytes -= chunk.batch.bytes.count
        keepSpare(chunk)
    }

    private mutating func keepSpare(_ chunk: Chunk) {
        guard spare.count < 4 else { return }
        var emptied = chunk
        emptied.batch.removeAll()
        emptied.records.removeAll(keepingCapacity: true)
        spare.append(emptied)
    }
}
