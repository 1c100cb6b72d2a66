import LogshipDelivery
import LogshipFormat
import LogshipWire

/// One destination of one stream: its formatter and the batch being filled for it.
struct DestinationOutput {
    let destination: Destination
    var formatter: MessageFormatter
    var batch = MessageBatch(capacity: 64 * 1024)
    /// On datagram transports, the most line bytes one message can carry.
    let maxLineBytesPerMessage: Int?

    /// A batch this large is handed over mid-read, bounding a stream's memory.
    static let flushThreshold = 256 * 1024

    init(destination: Destination, formatter: MessageFormatter) {
        self.destination = destination
        self.formatter = formatter
        if let datagram = destination.maxDatagramBytes, let header = formatter.headerLength {
            maxLineBytesPerMessage = max(datagram - header, 1)
        } else {
            maxLineBytesPerMessage = nil
        }
    }

    @inline(__always)
    mutating func append(_ line: Line) {
        if let limit = maxLineBytesPerMessage, line.bytes.count > limit {
            appendSplit(line, limit: limit)
        } else {
            formatter.append(line, to: &batch.bytes)
            batch.endMessage()
        }
        if batch.bytes.count >= DestinationOutput.flushThreshold { flush() }
    }

    /// A line too long for one datagram goes out as several messages, each a valid
    /// syslog message, rather than being truncated or refused by the kernel.
    private mutating func appendSplit(_ line: Line, limit: Int) {
        var offset = 0
        while offset < line.bytes.count {
            let end = min(offset + limit, line.bytes.count)
            let piece = Line(source: line.source, timeNano: line.timeNano, bytes: UnsafeRawBufferPointer(rebasing: line.bytes[offset..<end]))
            formatter.append(piece, to: &batch.bytes)
            batch.endMessage()
            offset = end
        }
    }

    mutating func flush() {
        if !batch.isEmpty { destination.enqueue(&batch) }
    }
}
