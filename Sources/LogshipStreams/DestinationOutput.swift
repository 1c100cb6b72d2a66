import LogshipDelivery
import LogshipDestinations
import LogshipEvents
import LogshipFormat
import LogshipWire

/// One destination of one stream: its formatter and the batch being filled for it.
protocol DestinationOutput: AnyObject {
    func append(_ event: LogEvent)
    /// Hands the batch to the destination's queue; false when the queue refused it.
    func flush() -> Bool
}

/// A destination output for one concrete formatter type. Generic so the formatter
/// lives in place inside the object: the per-message call is direct, mutates the
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
    /// Joined messages (and their lines) formatted since the last flush, for metrics.
    @exclusivity(unchecked) private var joinedMessages = 0
    @exclusivity(unchecked) private var joinedLines = 0
    /// On datagram transports, the most message bytes one datagram can carry.
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
    func append(_ event: LogEvent) {
        // The limit counts messages: a joined multi-line message is one.
        guard admission.admit(at: event.timeNano) else { return }
        if event.lines > 1 {
            joinedMessages += 1
            joinedLines += event.lines
        }
        if let limit = maxLineBytesPerMessage, event.bytes.count > limit {
            appendSplit(event, limit: limit)
        } else {
            formatter.append(event, to: &batch.bytes)
            batch.endMessage()
        }
        if batch.bytes.count >= Self.flushThreshold { _ = flush() }
    }

    /// A message too long for one datagram goes out as several messages, each a valid
    /// syslog message, rather than being truncated or refused by the kernel (a JSON
    /// line's fields are then left out: each piece carries its part of the text).
    private func appendSplit(_ event: LogEvent, limit: Int) {
        var offset = 0
        var piece = event
        piece.fields = nil
        while offset < event.bytes.count {
            let end = min(offset + limit, event.bytes.count)
            piece.bytes = UnsafeRawBufferPointer(rebasing: event.bytes[offset..<end])
            formatter.append(piece, to: &batch.bytes)
            batch.endMessage()
            offset = end
        }
    }

    /// With the messages the rate limit refused since the last flush: if the queue refuses
    /// (the plugin is stopping), those lines stay in the FIFO with the others and are
    /// counted when the next run reads them.
    func flush() -> Bool {
        if joinedMessages > 0 {
            destination.countJoined(messages: joinedMessages, lines: joinedLines)
            joinedMessages = 0
            joinedLines = 0
        }
        let refused = admission.takeRefused()
        return (batch.isEmpty && refused == 0) || destination.enqueue(&batch, lane: lane, rateLimited: refused)
    }
}
