import Glibc
@testable import LogshipDelivery

/// What a crash, a failing disk or a stray write could leave of the written spool,
/// chosen by the rest of the input: flipped bits anywhere or in a record's header and
/// lengths, files cut short (inside a record or anywhere), torn records and zeros
/// after the end, deleted segments, and any cursor (inside or past a record, past
/// its messages, beyond Int.max, a torn cursor file). Applied to the files at once.
struct DamagedSpool {
    /// Each segment file's bytes after the damage; deleted ones are absent.
    var files: [UInt64: [UInt8]]
    /// The cursor file's bytes after the damage.
    var cursor: [UInt8]

    static let maxOperations = 32

    init(_ written: WrittenSpool, directory: String, _ input: inout InputBytes) {
        files = written.files
        cursor = HarnessFiles.read(directory + "/cursor") ?? []
        var operations = 0
        while !input.isAtEnd && operations < Self.maxOperations {
            operations += 1
            apply(operation: input.below(9), written, &input)
        }
        for name in HarnessFiles.names(in: directory) where SpoolSegment.sequence(ofFileName: name) != nil {
            unlink(directory + "/" + name)
        }
        for (sequence, bytes) in files { HarnessFiles.write(directory + "/" + SpoolSegment.fileName(sequence), bytes) }
        HarnessFiles.write(directory + "/cursor", cursor)
    }

    private mutating func apply(operation: Int, _ written: WrittenSpool, _ input: inout InputBytes) {
        let sequences = files.keys.sorted()
        let present = written.records.filter { files[$0.position.segment] != nil }
        switch operation {
        case 0:  // flip bits of any byte of a segment
            guard !sequences.isEmpty else { return }
            let sequence = sequences[input.below(sequences.count)]
            guard let count = files[sequence]?.count, count > 0 else { return }
            files[sequence]![input.below(count)] ^= input.byte() | 1
        case 1:  // flip one bit of a record's header or lengths
            guard !present.isEmpty else { return }
            let record = present[input.below(present.count)]
            let at = record.position.offset + input.below(record.lengthsEnd - record.position.offset)
            if at < files[record.position.segment]!.count { files[record.position.segment]![at] ^= 1 << (input.byte() % 8) }
        case 2:  // cut a segment anywhere
            guard !sequences.isEmpty else { return }
            let sequence = sequences[input.below(sequences.count)]
            files[sequence]!.removeLast(files[sequence]!.count - input.below(files[sequence]!.count + 1))
        case 3:  // cut a segment inside one of its records (a torn last record)
            guard !present.isEmpty else { return }
            let record = present[input.below(present.count)]
            let keep = record.position.offset + input.below(record.totalBytes)
            if keep < files[record.position.segment]!.count { files[record.position.segment]!.removeLast(files[record.position.segment]!.count - keep) }
        case 4:  // a torn copy of a record at the end of a segment
            guard !sequences.isEmpty, !present.isEmpty else { return }
            let sequence = sequences[input.below(sequences.count)]
            let record = present[input.below(present.count)]
            let source = written.files[record.position.segment]!
            files[sequence]! += source[record.position.offset..<record.position.offset + input.below(record.totalBytes)]
        case 5:  // zeros at the end of a segment (a size written back before the data)
            guard !sequences.isEmpty else { return }
            let sequence = sequences[input.below(sequences.count)]
            files[sequence]! += repeatElement(0, count: 1 + Int(input.byte()))
        case 6:  // a segment file lost
            guard !sequences.isEmpty else { return }
            files[sequences[input.below(sequences.count)]] = nil
        case 7:
            damageCursor(present, &input)
        default:  // a cursor file cut short
            cursor.removeLast(cursor.count - min(cursor.count, input.below(24)))
        }
    }

    private mutating func damageCursor(_ present: [WrittenRecord], _ input: inout InputBytes) {
        if cursor.count < 24 { cursor += repeatElement(0, count: 24 - cursor.count) }
        var words = (0..<3).map { w in (0..<8).reduce(UInt64(0)) { $0 | UInt64(cursor[8 * w + $1]) << (8 * $1) } }
        let record = present.isEmpty ? nil : present[input.below(present.count)]
        switch input.below(6) {
        case 0:  // one word, small
            words[input.below(3)] = UInt64(input.byte())
        case 1:  // a record, and a message of it or past its messages
            guard let record else { break }
            words = [record.position.segment, UInt64(record.position.offset), UInt64(input.below(6))]
        case 2:  // inside a record
            guard let record else { break }
            words = [record.position.segment, UInt64(record.position.offset + 1 + input.below(record.totalBytes - 1)), 0]
        case 3:  // a word beyond Int.max
            words[input.below(3)] = UInt64.max - UInt64(input.byte())
        case 4:
            words[input.below(3)] = 1 << 63 | UInt64(input.byte())
        default:  // one past a segment, or right at its end
            guard let record else { break }
            words = [record.position.segment + UInt64(input.below(2)), UInt64(record.end + input.below(3)), 0]
        }
        cursor = words.flatMap { word in (0..<8).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }
    }
}
