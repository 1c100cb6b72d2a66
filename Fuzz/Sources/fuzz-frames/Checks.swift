import FuzzSupport
import LogshipWire

/// The properties of decoding and reassembly that the formatters and queues rely on:
///
/// - every slice a decoded entry holds lies inside its frame (the decoder copies
///   nothing, so a slice past the frame would be read as someone else's bytes);
/// - no emitted line is longer than `maxLineBytes` (the documented meaning of
///   `max-line-size`, which bounds memory and datagram sizes downstream);
/// - reassembly neither loses nor invents bytes: what is emitted is exactly what the
///   decoded entries carried, less the pieces it skipped as repeats of pieces it
///   had applied (same line id and ordinal), and so never more than the input.
struct Checks {
    let maxLineBytes: Int
    let inputBytes: Int
    private var pushedBytes = 0
    private var emittedBytes = 0

    init(maxLineBytes: Int, inputBytes: Int) {
        self.maxLineBytes = maxLineBytes
        self.inputBytes = inputBytes
    }

    mutating func decoded(_ entry: LogEntry, from message: UnsafeRawBufferPointer) {
        expectInside(entry.sourceBytes, message, "source")
        expectInside(entry.line, message, "line")
        if let metadata = entry.partialMetadata { expectInside(metadata.id, message, "partial_log_metadata.id") }
        pushedBytes += entry.line.count
    }

    mutating func emitted(_ line: Line) {
        invariant(line.bytes.count <= maxLineBytes,
                  "emitted a \(line.bytes.count)-byte line; max-line-size is \(maxLineBytes)")
        emittedBytes += line.bytes.count
    }

    func finish(repeatedBytes: Int) {
        invariant(emittedBytes == pushedBytes - repeatedBytes,
                  "entries carried \(pushedBytes) line bytes (\(repeatedBytes) in repeated pieces), \(emittedBytes) were emitted")
        invariant(emittedBytes <= inputBytes, "emitted \(emittedBytes) bytes from a \(inputBytes)-byte stream")
    }

    private func expectInside(_ slice: UnsafeRawBufferPointer, _ message: UnsafeRawBufferPointer, _ field: String) {
        // An empty field may be the decoder's (nil, 0) default: it points nowhere.
        guard let start = slice.baseAddress else {
            invariant(slice.isEmpty, "\(field) has no address but \(slice.count) bytes")
            return
        }
        let lower = UInt(bitPattern: message.baseAddress)
        let begin = UInt(bitPattern: start)
        let end = begin + UInt(slice.count)
        invariant(begin >= lower && end <= lower + UInt(message.count),
                  "\(field) (\(slice.count) bytes at +\(Int(bitPattern: begin &- lower))) lies outside its \(message.count)-byte frame")
    }
}
