@testable import LogshipDelivery

/// A RELP connection whose server side is the fuzz input: reads return it in the pieces
/// the cut points make, and once it is used up the server is silent (a wait finds
/// nothing at once, so a session gives up instead of sleeping). What the session writes
/// is kept, to be checked.
final class ReplayedAnswers: RELPByteStream {
    private let bytes: [UInt8]
    private var pieceEnds: [Int]
    private var offset = 0
    private(set) var written: [UInt8] = []
    private(set) var closed = false

    init(_ bytes: [UInt8], cutAt cuts: [Int]) {
        self.bytes = bytes
        pieceEnds = cuts.filter { $0 > 0 && $0 < bytes.count } + [bytes.count]
    }

    func write(_ data: UnsafeRawBufferPointer, stallMilliseconds: Int) -> String? {
        written.append(contentsOf: data)
        return nil
    }

    func readAvailable(into buffer: UnsafeMutableRawBufferPointer) -> StreamRead {
        while let end = pieceEnds.first, end <= offset { pieceEnds.removeFirst() }
        guard let end = pieceEnds.first else { return .nothingYet }
        let count = min(buffer.count, end - offset)
        bytes[offset..<(offset + count)].withUnsafeBytes { buffer.copyMemory(from: $0) }
        offset += count
        return .bytes(count)
    }

    func waitForBytes(until deadline: Int64, atLeast _: Int) -> Bool { offset < bytes.count }

    func close() { closed = true }
}
