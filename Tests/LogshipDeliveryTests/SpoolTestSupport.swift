import Glibc
import LogshipSystem
@testable import LogshipDelivery

/// A record read back from a spool: where it starts and its messages.
struct ReadRecord: Equatable, CustomStringConvertible {
    var position: SpoolPosition
    var messages: [String]
    var description: String { "\(position) \(messages)" }
}

/// Reads everything from `start` to the end of the spool, one record at a time, so
/// each record's position can be checked.
func readAll(_ spool: Spool, from start: SpoolPosition) throws -> [ReadRecord] {
    var out: [ReadRecord] = []
    var position = start
    var taken = MessageBatch()
    while let (next, records) = try spool.read(from: position, upTo: nil, into: &taken, maxBytes: 1) {
        var index = 0
        for (recordPosition, count) in records {
            out.append(ReadRecord(position: recordPosition, messages: Array(messages(taken)[index..<index + count])))
            index += count
        }
        taken.removeAll()
        position = next
    }
    return out
}

func segmentPath(_ directory: String, _ sequence: UInt64) -> String {
    directory + "/" + SpoolSegment.fileName(sequence)
}

/// Overwrites the cursor file as a crashed run could have left it.
func writeCursor(_ directory: String, segment: UInt64, offset: UInt64, message: UInt64) throws {
    var words = (segment.littleEndian, offset.littleEndian, message.littleEndian)
    let file = try FileDescriptor.open(directory + "/cursor", [.writeOnly, .create], mode: 0o600)
    defer { file.close() }
    try withUnsafeBytes(of: &words) { try file.write($0, at: 0) }
}

func writeBytes(_ path: String, _ bytes: [UInt8], at offset: Int) throws {
    let file = try FileDescriptor.open(path, [.writeOnly])
    defer { file.close() }
    try bytes.withUnsafeBytes { try file.write($0, at: offset) }
}

func truncateFile(_ path: String, to length: Int) throws {
    let file = try FileDescriptor.open(path, [.writeOnly])
    defer { file.close() }
    try file.truncate(to: length)
}

func fileSize(_ path: String) throws -> Int {
    let file = try FileDescriptor.open(path, [.readOnly])
    defer { file.close() }
    return try file.size()
}

func littleEndianWords(_ words: [UInt32]) -> [UInt8] {
    words.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }
}

/// A record as logship versions before "LSR2" wrote it (header check over the two
/// sizes only, lengths unprotected), spelled out here rather than taken from the
/// code under test, so the test pins the old format. `lengths` defaults to the
/// messages' own; a test passes others to make a damaged record.
func legacyRecord(_ messages: [String], lengths: [UInt32]? = nil) -> [UInt8] {
    let magic: UInt32 = 0x3152_534C  // "LSR1"
    let payload = messages.flatMap { Array($0.utf8) }
    let payloadBytes = UInt32(payload.count)
    let count = UInt32(messages.count)
    let check = (payloadBytes &* 0x9E37_79B9) ^ (count &+ 0x85EB_CA6B) ^ magic
    let storedLengths = lengths ?? messages.map { UInt32($0.utf8.count) }
    return littleEndianWords([magic, payloadBytes, count, check] + storedLengths) + payload
}

/// A segment file holding `records` back to back, as an older version left it.
func writeSegment(_ directory: String, _ sequence: UInt64, _ records: [[UInt8]]) throws {
    let file = try FileDescriptor.open(segmentPath(directory, sequence), [.writeOnly, .create, .truncate], mode: 0o600)
    defer { file.close() }
    try file.writeAll(records.flatMap { $0 })
}
