import Glibc
import LogshipSystem

/// Where one stream keeps its checkpoint (`StreamCheckpoint`): two files written in
/// turn, each write a single `pwrite` of a record that carries a sequence number, its
/// length and a checksum. A stream holding a multi-line message checkpoints after every
/// read, so this is on the per-read path; writing a fresh file and renaming it over the
/// old one took four system calls and a directory update each time.
///
/// A plugin killed in the middle of a write can leave that file torn; the other one
/// then still holds the previous record, which is the right one: the read being
/// checkpointed was not consumed from the FIFO yet. Reading takes the intact record with
/// the highest sequence number.
///
///     magic "LSK1" | sequence u64 | length u32 | FNV-1a 32 of the payload | payload
///
/// A record shorter than what a file held before leaves old bytes after it, which the
/// length excludes. A file without the magic is a checkpoint written whole by an older
/// version, taken as it is.
final class CheckpointSlots {
    private let paths: [String]
    private var descriptors: [FileDescriptor?] = [nil, nil]
    private var sequence: UInt64 = 0
    private var record: [UInt8] = []

    static let magic: UInt32 = 0x314B_534C  // "LSK1" read as little-endian
    static let headerBytes = 20

    init(path: String) {
        paths = [path, path + ".1"]
    }

    deinit {
        for descriptor in descriptors { descriptor?.close() }
    }

    /// The newest intact checkpoint; nil when there is none.
    func load() -> [UInt8]? {
        var newest: (sequence: UInt64, payload: [UInt8])?
        for path in paths {
            guard FileSystem.exists(path), let bytes = try? FileSystem.read(path), !bytes.isEmpty else { continue }
            guard let (sequence, payload) = Self.record(in: bytes) else { continue }
            if newest == nil || sequence > newest!.sequence { newest = (sequence, payload) }
        }
        sequence = newest?.sequence ?? 0
        return newest?.payload
    }

    func save(_ payload: [UInt8]) throws {
        sequence += 1
        let slot = Int(sequence % 2)
        record.removeAll(keepingCapacity: true)
        append(Self.magic)
        withUnsafeBytes(of: sequence.littleEndian) { record.append(contentsOf: $0) }
        append(UInt32(payload.count))
        append(fnv1a(payload))
        record.append(contentsOf: payload)
        if descriptors[slot] == nil {
            descriptors[slot] = try FileDescriptor.open(paths[slot], [.writeOnly, .create], mode: 0o600)
        }
        try record.withUnsafeBytes { try descriptors[slot]!.write($0, at: 0) }
    }

    /// Nothing is in progress any more: both files go.
    func remove() {
        for slot in 0..<2 {
            descriptors[slot]?.close()
            descriptors[slot] = nil
            FileSystem.remove(paths[slot])
        }
    }

    /// Both files of a checkpoint at `path`, for a stream that ended.
    static func remove(at path: String) {
        FileSystem.remove(path)
        FileSystem.remove(path + ".1")
    }

    private static func record(in bytes: [UInt8]) -> (UInt64, [UInt8])? {
        func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * $1) } }
        guard bytes.count >= 4, u32(0) == magic else { return (0, bytes) }
        guard bytes.count >= headerBytes else { return nil }
        let sequence = UInt64(u32(4)) | UInt64(u32(8)) << 32
        let length = Int(u32(12))
        guard length <= bytes.count - headerBytes else { return nil }
        let payload = Array(bytes[headerBytes..<(headerBytes + length)])
        guard fnv1a(payload) == u32(16) else { return nil }
        return (sequence, payload)
    }

    private func append(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { record.append(contentsOf: $0) }
    }
}

private func fnv1a(_ bytes: [UInt8]) -> UInt32 {
    var hash: UInt32 = 0x811C_9DC5
    for byte in bytes { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
    return hash
}
