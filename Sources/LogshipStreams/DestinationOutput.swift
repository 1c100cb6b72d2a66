import LogshipDelivery
import LogshipDestinations
import LogshipFormat
import LogshipWire

/// One destination of one stream: its formatter and the batch being filled for it.
protocol DestinationOutput: AnyObject {
    func append(_ line: Line)
    /// Hands the batch to the destination's queue; false when the queue refused it.
    func flush() -> Bool
}

/// A destination output for one concrete formatter type. Generic so the formatter
/// lives in place inside the object: the per-line call is direct, mutates the
/// timestamp cache where it is, and retains nothing. Generic over the admission too,
/// so a stream without `rate-limit` pays nothing for it.
final class FormattedOutput<Formatter: LineFormatter, Admission: LineAdmission>: DestinationOutput {
    private let destination: Destination
    /// The container's lane of the destination's queue.
    private let lane: LaneHandle
    // Only the stream's reader thread touches these, so Swift's run-time exclusivity
    // checks (about 7 % of the per-line cost) buy nothing here.
    @exclusivity(unchecked) private var formatter: Formatter
    @exclusivity(unchecked) private var admission: Admission
    @exclusivity(unchecked) private var batch = MessageBatch(capacity: 64 * 1024)
    /// On datagram transports, the most line bytes one message can carry.
    private let maxLineBytesPerMessage: Int?

    /// A batch this large is handed over mid-read, bounding a stream's memory.
    static var flushThreshold: Int { 256 * 1024 }

    init(destination: Destination, lane: LaneHandle, formatter: Formatter, admission: Admission) {
        self.destination = destination
        self.lane = lane
        self.formatter = formatter
        self.admission = admission
        if let datagram = destination.maxDatagramBytes, let header = formatter.headerLength {
            maxLineBytesPerMessage = max(datagram - header, 1)
        } else {
            maxLineBytesPerMessage = nil
        }
    }

    @inline(__always)
    func append(_ line: Line) {
        guard admission.admit(at: line.timeNano) else { return }
        if let limit = maxLineBytesPerMessage, line.bytes.count > limit {
            appendSplit(line, limit: limit)
        } else {
            formatter.append(line, to: &batch.bytes)
            batch.endMessage()
        }
        if batch.bytes.count >= Self.flushThreshold { _ = flush() }
    }

    /// A line too long for one datagram goes out as several messages, each a valid
    /// syslog message, rather than being truncated or refused by the kernel.
    private func appendSplit(_ line: Line, limit: Int) {
        var offset = 0
        while offset < line.bytes.count {
            let end = min(offset + limit, line.bytes.count)
            let piece = Line(source: line.source, timeNano: line.timeNano, bytes: UnsafeRawBufferPointer(rebasing: line.bytes[offset..<end]))
            formatter.append(piece, to: &batch.bytes)
            batch.endMessage()
            offset = end
        }
    }

    /// With the lines the rate limit refused since the last flush: if the queue refuses
    /// (the plugin is stopping), those lines stay in the FIFO with the others and are
    /// counted when the next run reads them.
    func flush() -> Bool {
        let refused = admission.takeRefused()
        return (batch.isEmpty && refused == 0) || destination.enqueue(&batch, lane: lane, rateLimited: refused)
    }
}
