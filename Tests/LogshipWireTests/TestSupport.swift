import LogshipSystem
@testable import LogshipWire

/// Reads a file of Corpus/, next to this test source (the corpus travels with the tests).
func corpusFile(_ name: String, filePath: String = #filePath) throws -> [UInt8] {
    let directory = filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    return try FileSystem.read(directory + "/Corpus/" + name)
}

/// A plain copy of a decoded entry, safe to keep after the buffer is gone.
struct OwnedEntry: Equatable, CustomStringConvertible {
    var source: String
    var timeNano: Int64
    var line: [UInt8]
    var partial: Bool
    var hasMetadata: Bool
    var last: Bool
    var id: String
    var ordinal: Int32

    init(_ e: LogEntry) {
        source = String(decoding: e.sourceBytes, as: UTF8.self)
        timeNano = e.timeNano
        line = Array(e.line)
        partial = e.partial
        hasMetadata = e.partialMetadata != nil
        last = e.partialMetadata?.last ?? false
        id = e.partialMetadata.map { String(decoding: $0.id, as: UTF8.self) } ?? ""
        ordinal = e.partialMetadata?.ordinal ?? 0
    }

    init(source: String, timeNano: Int64, line: [UInt8], partial: Bool, hasMetadata: Bool, last: Bool, id: String, ordinal: Int32) {
        (self.source, self.timeNano, self.line, self.partial) = (source, timeNano, line, partial)
        (self.hasMetadata, self.last, self.id, self.ordinal) = (hasMetadata, last, id, ordinal)
    }

    var description: String { "\(source) \(timeNano) \(line.count)B partial=\(partial) meta=\(hasMetadata) last=\(last) ord=\(ordinal)" }
}

func decode(_ body: [UInt8]) throws -> OwnedEntry {
    try body.withUnsafeBytes { raw in OwnedEntry(try LogEntry.decode(raw)) }
}

func hexBytes(_ text: Substring) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        bytes.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

/// An entry built the way the daemon's copier does (protocol reference §5.6).
struct Piece {
    var source = "stdout"
    var time: Int64 = 1
    var line: [UInt8]
    var meta: (last: Bool, id: String, ordinal: Int32)?
}

/// Pushes `pieces` into `reassembler`; returns the lines it emitted.
func push(_ pieces: [Piece], into reassembler: inout Reassembler) -> [(LogSource, Int64, [UInt8])] {
    var out: [(LogSource, Int64, [UInt8])] = []
    for piece in pieces {
        piece.line.withUnsafeBytes { line in
            Array(piece.source.utf8).withUnsafeBytes { source in
                Array((piece.meta?.id ?? "").utf8).withUnsafeBytes { id in
                    var entry = LogEntry()
                    entry.sourceBytes = source
                    entry.timeNano = piece.time
                    entry.line = line
                    if let meta = piece.meta {
                        entry.partial = true
                        var m = PartialMetadata()
                        m.last = meta.last
                        m.id = id
                        m.ordinal = meta.ordinal
                        entry.partialMetadata = m
                    }
                    reassembler.push(entry) { out.append(($0.source, $0.timeNano, Array($0.bytes))) }
                }
            }
        }
    }
    return out
}
