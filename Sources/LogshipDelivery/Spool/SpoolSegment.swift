import LogshipSystem

/// One segment file of a spool: records appended at the end, read by offset.
///
/// The segment keeps the offset and message count of each record in memory, so
/// accounting (how many messages a drop loses, how many wait) needs no disk reads.
final class SpoolSegment {
    let sequence: UInt64
    let path: String
    /// The segment file, closed exactly once; a read or write after that throws instead of
    /// touching a number the kernel may have given to another file.
    private let file: OwnedDescriptor
    private var descriptor: FileDescriptor { get throws { try file.descriptor } }
    private(set) var size: Int
    private(set) var records: [(offset: Int, messages: Int)] = []
    private(set) var messageCount = 0
    /// Bytes that recovery could not read as records and cut off (a torn record after
    /// a crash, or damage); 0 for a clean segment.
    private(set) var cutBytes = 0
    /// What was wrong with the first of the bytes recovery cut off.
    private(set) var cutProblem = ""

    static func fileName(_ sequence: UInt64) -> String {
        let hex = String(sequence, radix: 16)
        return String(repeating: "0", count: max(0, 16 - hex.count)) + hex + ".seg"
    }

    static func sequence(ofFileName name: String) -> UInt64? {
        // Only the exact spelling fileName writes: "+…" or upper-case hex would parse to
        // a sequence whose file is another one.
        guard name.hasSuffix(".seg"), name.count == 20, let sequence = UInt64(name.prefix(16), radix: 16),
              fileName(sequence) == name,
              // Beyond what a spool reaches in any lifetime (a segment a millisecond
              // takes 292 million years to get there), and the spool adds 1 to it.
              sequence < 1 << 63 else { return nil }
        return sequence
    }

    /// False for a recovered segment, and for one whose failed append could not be
    /// undone: the next record goes to a new segment, never after bytes that may not be
    /// records.
    private(set) var isAppendable: Bool

    private init(sequence: UInt64, path: String, descriptor: FileDescriptor, size: Int, isAppendable: Bool) {
        self.sequence = sequence
        self.path = path
        self.file = OwnedDescriptor(descriptor, name: path)
        self.size = size
        self.isAppendable = isAppendable
    }

    static func create(in directory: String, sequence: UInt64) throws -> SpoolSegment {
        let path = directory + "/" + fileName(sequence)
        // O_APPEND: records always go to the end, whatever the descriptor's offset.
        let descriptor = try FileDescriptor.open(path, [.readWrite, .create, .truncate, .append], mode: 0o600)
        return SpoolSegment(sequence: sequence, path: path, descriptor: descriptor, size: 0, isAppendable: true)
    }

    /// Opens an existing segment and indexes its records, each checked as `readRecord`
    /// checks it; from the first that fails (a torn record at the end, the plugin died
    /// while writing it; or damage) the file is cut off, and `cutProblem` says why.
    /// The segment takes no more appends.
    static func recover(path: String, sequence: UInt64) throws -> SpoolSegment {
        let segment = SpoolSegment(sequence: sequence, path: path, descriptor: try FileDescriptor.open(path, [.readWrite]),
                                   size: 0, isAppendable: false)
        do {
            let fileSize = try segment.descriptor.size()
            var lengths: [UInt32] = []
            var offset = 0
            while offset < fileSize {
                let header: SpoolRecord.Header
                do {
                    header = try segment.readIndex(at: offset, end: fileSize, lengths: &lengths)
                } catch let damage as SpoolDamage {
                    segment.cutProblem = damage.problem
                    break
                }
                segment.records.append((offset, header.messageCount))
                segment.messageCount += header.messageCount
                offset += header.totalBytes
            }
            if offset < fileSize {
                try segment.descriptor.truncate(to: offset)
                segment.cutBytes = fileSize - offset
            }
            segment.size = offset
        } catch {
            segment.close()
            throw error
        }
        return segment
    }

    /// Appends `batch` as one record; returns its offset. When it fails (no space, a
    /// quota, an I/O error; perhaps after part of the record was written), the file is
    /// cut back to where it was, so the next append starts right after the last whole
    /// record; if even that fails, the segment takes no more appends.
    func append(_ batch: MessageBatch, lengths: inout [UInt32], sync: Bool) throws -> Int {
        precondition(isAppendable, "append to a closed spool segment")
        SpoolRecord.encodeLengths(batch, into: &lengths)
        var header = lengths.withUnsafeBytes {
            SpoolRecord.encodeHeader(payloadBytes: batch.bytes.count, messageCount: batch.count, lengths: $0)
        }
        let offset = size
        do {
            try withUnsafeBytes(of: &header) { headerBytes in
                try lengths.withUnsafeBytes { lengthBytes in
                    try batch.bytes.withUnsafeBytes { payload in
                        try descriptor.writeAll(headerBytes, lengthBytes, payload)
                    }
                }
            }
            if sync { try descriptor.sync() }
        } catch {
            do { try descriptor.truncate(to: size) } catch { isAppendable = false }
            throw error
        }
        size += SpoolRecord.headerBytes + 4 * batch.count + batch.bytes.count
        records.append((offset, batch.count))
        messageCount += batch.count
        return offset
    }

    /// Appends the messages of the record at `offset`, from its `skipping`-th on, to
    /// `batch`. Returns the offset of the next record and how many messages were added.
    /// Throws `SpoolDamage`, with `batch` as it was, when `offset` is not where an
    /// indexed record starts, `skipping` is not within its messages, or the record
    /// on disk no longer is what recovery or `append` indexed.
    func readRecord(at offset: Int, skipping: Int, into batch: inout MessageBatch, lengths: inout [UInt32]) throws -> (next: Int, messages: Int) {
        guard recordIndex(at: offset) != nil else {
            throw SpoolDamage(path: path, offset: offset, problem: "no record starts here")
        }
        let header = try readIndex(at: offset, end: size, lengths: &lengths)
        guard skipping >= 0, skipping <= header.messageCount else {
            throw SpoolDamage(path: path, offset: offset, problem: "message \(skipping) of a record of \(header.messageCount) messages")
        }
        // The lengths add up to the payload (readIndex checked), so neither the skipped
        // bytes nor any message end can pass it.
        var skipBytes = 0
        for i in 0..<skipping { skipBytes += Int(UInt32(littleEndian: lengths[i])) }
        let payloadStart = offset + SpoolRecord.headerBytes + 4 * header.messageCount
        let wanted = header.payloadBytes - skipBytes
        let base = batch.bytes.count
        batch.bytes.append(contentsOf: repeatElement(0, count: wanted))
        let got: Int
        do {
            got = try batch.bytes.withUnsafeMutableBytes { raw in
                try descriptor.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[base...]), at: payloadStart + skipBytes)
            }
        } catch {
            batch.bytes.removeLast(wanted)
            throw error
        }
        guard got == wanted else {
            batch.bytes.removeLast(wanted)
            throw SpoolDamage(path: path, offset: offset, problem: "the file ends \(wanted - got) bytes short of the record's payload")
        }
        var end = base
        for i in skipping..<header.messageCount {
            end += Int(UInt32(littleEndian: lengths[i]))
            batch.ends.append(end)
        }
        return (offset + header.totalBytes, header.messageCount - skipping)
    }

    /// Reads and checks the header and lengths of the record at `offset`, which must
    /// end by `end`: the sizes fit, the check matches, the lengths fill the payload.
    /// Leaves the lengths in `lengths`.
    private func readIndex(at offset: Int, end: Int, lengths: inout [UInt32]) throws -> SpoolRecord.Header {
        func damage(_ problem: String) -> SpoolDamage { SpoolDamage(path: path, offset: offset, problem: problem) }
        guard offset >= 0, end - offset >= SpoolRecord.headerBytes else {
            throw damage("\(max(0, end - offset)) bytes left, too few for a record header")
        }
        var headerBytes = (UInt64(0), UInt64(0))
        let got = try withUnsafeMutableBytes(of: &headerBytes) { try descriptor.read(into: $0, at: offset) }
        guard got == SpoolRecord.headerBytes else {
            throw damage("the file ends \(got) bytes into the record header")
        }
        guard let header = withUnsafeBytes(of: &headerBytes, { SpoolRecord.decodeHeader($0) }) else {
            throw damage("no record header (magic or check wrong)")
        }
        // Both sizes are below 2^32, so the sum cannot overflow; bounding it by the
        // file also bounds the lengths buffer below.
        guard header.totalBytes <= end - offset else {
            throw damage("a record of \(header.totalBytes) bytes (\(header.messageCount) messages) runs past the end at \(end)")
        }
        lengths.removeAll(keepingCapacity: true)
        lengths.append(contentsOf: repeatElement(0, count: header.messageCount))
        let lengthBytes = try lengths.withUnsafeMutableBytes { try descriptor.read(into: $0, at: offset + SpoolRecord.headerBytes) }
        guard lengthBytes == 4 * header.messageCount else {
            throw damage("the file ends \(lengthBytes) bytes into the record's \(4 * header.messageCount) bytes of lengths")
        }
        if let problem = lengths.withUnsafeBytes({ SpoolRecord.problem(withLengths: $0, of: header) }) {
            throw damage(problem)
        }
        return header
    }

    /// The index in `records` of the record starting at `offset`, if one does.
    func recordIndex(at offset: Int) -> Int? {
        var low = 0, high = records.count
        while low < high {
            let middle = (low + high) / 2
            if records[middle].offset < offset { low = middle + 1 } else { high = middle }
        }
        return low < records.count && records[low].offset == offset ? low : nil
    }

    /// Records at or after `offset` in this segment that still hold a message from
    /// `offset`/`message` on.
    func recordCount(from offset: Int, message: Int) -> Int {
        var count = 0
        for record in records where record.offset >= offset && (record.offset > offset || message < record.messages) {
            count += 1
        }
        return count
    }

    /// Messages at or after `offset`/`message` in this segment.
    func messages(from offset: Int, message: Int) -> Int {
        var count = 0
        for record in records where record.offset >= offset {
            count += record.offset == offset ? max(0, record.messages - message) : record.messages
        }
        return count
    }

    func close() { file.close() }

    func delete() {
        file.close()
        FileSystem.remove(path)
    }
}
