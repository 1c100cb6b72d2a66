import LogshipSystem

/// One segment file of a spool: records appended at the end, read by offset.
///
/// The segment keeps the offset and message count of each record in memory, so
/// accounting (how many messages a drop loses, how many wait) needs no disk reads.
final class SpoolSegment {
    let sequence: UInt64
    let path: String
    private let descriptor: FileDescriptor
    private(set) var size: Int
    private(set) var records: [(offset: Int, messages: Int)] = []
    private(set) var messageCount = 0
    /// Bytes that recovery could not read as records and cut off (a torn record after
    /// a crash, or damage); 0 for a clean segment.
    private(set) var cutBytes = 0

    static func fileName(_ sequence: UInt64) -> String {
        let hex = String(sequence, radix: 16)
        return String(repeating: "0", count: max(0, 16 - hex.count)) + hex + ".seg"
    }

    static func sequence(ofFileName name: String) -> UInt64? {
        guard name.hasSuffix(".seg"), name.count == 20 else { return nil }
        return UInt64(name.prefix(16), radix: 16)
    }

    private init(sequence: UInt64, path: String, descriptor: FileDescriptor, size: Int) {
        self.sequence = sequence
        self.path = path
        self.descriptor = descriptor
        self.size = size
    }

    static func create(in directory: String, sequence: UInt64) throws -> SpoolSegment {
        let path = directory + "/" + fileName(sequence)
        // O_APPEND: records always go to the end, whatever the descriptor's offset.
        let descriptor = try FileDescriptor.open(path, [.readWrite, .create, .truncate, .append], mode: 0o600)
        return SpoolSegment(sequence: sequence, path: path, descriptor: descriptor, size: 0)
    }

    /// Opens an existing segment and indexes its records; a torn record at the end
    /// (the plugin died in the middle of writing it) is cut off.
    static func recover(path: String, sequence: UInt64) throws -> SpoolSegment {
        // O_APPEND, so the next record lands after the recovered ones (reading them
        // with pread leaves the descriptor's offset at 0).
        let descriptor = try FileDescriptor.open(path, [.readWrite, .append])
        let fileSize = try descriptor.size()
        let segment = SpoolSegment(sequence: sequence, path: path, descriptor: descriptor, size: 0)
        var header = [UInt8](repeating: 0, count: SpoolRecord.headerBytes)
        var offset = 0
        while offset + SpoolRecord.headerBytes <= fileSize {
            let read = try header.withUnsafeMutableBytes { try descriptor.read(into: $0, at: offset) }
            guard read == SpoolRecord.headerBytes,
                  let decoded = header.withUnsafeBytes({ SpoolRecord.decodeHeader($0) }),
                  offset + decoded.totalBytes <= fileSize else { break }
            segment.records.append((offset, decoded.messageCount))
            segment.messageCount += decoded.messageCount
            offset += decoded.totalBytes
        }
        if offset < fileSize {
            try descriptor.truncate(to: offset)
            segment.cutBytes = fileSize - offset
        }
        segment.size = offset
        return segment
    }

    /// Appends `batch` as one record; returns its offset.
    func append(_ batch: MessageBatch, lengths: inout [UInt32], sync: Bool) throws -> Int {
        SpoolRecord.encodeLengths(batch, into: &lengths)
        var header = SpoolRecord.encodeHeader(.init(payloadBytes: batch.bytes.count, messageCount: batch.count))
        let offset = size
        try withUnsafeBytes(of: &header) { headerBytes in
            try lengths.withUnsafeBytes { lengthBytes in
                try batch.bytes.withUnsafeBytes { payload in
                    try descriptor.writeAll(headerBytes, lengthBytes, payload)
                }
            }
        }
        if sync { try descriptor.sync() }
        size += SpoolRecord.headerBytes + 4 * batch.count + batch.bytes.count
        records.append((offset, batch.count))
        messageCount += batch.count
        return offset
    }

    /// Appends the messages of the record at `offset`, from its `skipping`-th on, to
    /// `batch`. Returns the offset of the next record and how many messages were added.
    func readRecord(at offset: Int, skipping: Int, into batch: inout MessageBatch, lengths: inout [UInt32]) throws -> (next: Int, messages: Int) {
        var headerBytes = (UInt64(0), UInt64(0))
        let got = try withUnsafeMutableBytes(of: &headerBytes) { try descriptor.read(into: $0, at: offset) }
        guard got == SpoolRecord.headerBytes,
              let header = withUnsafeBytes(of: &headerBytes, { SpoolRecord.decodeHeader($0) }) else {
            throw SystemError("spool read", errno: 5, context: "\(path) has no record at \(offset)")  // EIO
        }
        lengths.removeAll(keepingCapacity: true)
        lengths.append(contentsOf: repeatElement(0, count: header.messageCount))
        _ = try lengths.withUnsafeMutableBytes { try descriptor.read(into: $0, at: offset + SpoolRecord.headerBytes) }
        var skipBytes = 0
        for i in 0..<min(skipping, header.messageCount) { skipBytes += Int(UInt32(littleEndian: lengths[i])) }
        let payloadStart = offset + SpoolRecord.headerBytes + 4 * header.messageCount
        let wanted = header.payloadBytes - skipBytes
        let base = batch.bytes.count
        batch.bytes.append(contentsOf: repeatElement(0, count: wanted))
        _ = try batch.bytes.withUnsafeMutableBytes { raw in
            try descriptor.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[base...]), at: payloadStart + skipBytes)
        }
        var end = base
        for i in skipping..<header.messageCount {
            end += Int(UInt32(littleEndian: lengths[i]))
            batch.ends.append(end)
        }
        return (offset + header.totalBytes, max(0, header.messageCount - skipping))
    }

    /// Messages at or after `offset`/`message` in this segment.
    func messages(from offset: Int, message: Int) -> Int {
        var count = 0
        for record in records where record.offset >= offset {
            count += record.offset == offset ? max(0, record.messages - message) : record.messages
        }
        return count
    }

    func close() { descriptor.close() }

    func delete() {
        descriptor.close()
        FileSystem.remove(path)
    }
}
