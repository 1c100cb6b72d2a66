import LogshipConfig
import LogshipDelivery
import LogshipFormat
import LogshipWire

/// Everything between FIFO bytes and the destination queues, for one stream:
/// frame decoding, reassembly, then formatting into one batch per destination.
/// No I/O: the reader feeds it what it read (and the pipeline benchmark feeds it
/// frames from memory, so it measures exactly this code).
///
/// A class so the reassembler's callback can reach `outputs` without tripping
/// Swift's exclusivity rules on a struct.
public final class StreamPipeline {
    private let decoder: FrameDecoder
    // Touched only by the stream's reader thread: no run-time exclusivity checks.
    @exclusivity(unchecked) private var reassembler: Reassembler
    private let outputs: [DestinationOutput]
    /// Entries decoded so far.
    @exclusivity(unchecked) public private(set) var entries = 0

    public init(settings: StreamSettings, destinations: [(Destination, MessageFormatter)], decoder: FrameDecoder = FrameDecoder()) {
        self.decoder = decoder
        reassembler = Reassembler(maxLineBytes: settings.maxLineBytes)
        outputs = destinations.map { makeOutput($0.0, $0.1) }
    }

    public var reassembledLines: Int { reassembler.reassembledLines }

    /// Decodes and handles every complete frame in `bytes`; returns how many bytes
    /// they took (the rest is an incomplete frame to keep for the next read).
    @inline(__always)
    public func consume(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> Int {
        var offset = 0
        while case let .frame(body, end) = try decoder.next(in: bytes, from: offset) {
            handle(try LogEntry.decode(UnsafeRawBufferPointer(rebasing: bytes[body])))
            entries += 1
            offset = end
        }
        return offset
    }

    /// The size the frame at the start of `bytes` needs, when it is incomplete.
    func pendingFrameBytes(_ bytes: UnsafeRawBufferPointer) throws(WireError) -> Int? {
        if case let .needMore(frameBytes) = try decoder.next(in: bytes, from: 0) { return frameBytes }
        return nil
    }

    @inline(__always)
    func handle(_ entry: LogEntry) {
        reassembler.push(entry) { line in
            for output in outputs { output.append(line) }
        }
    }

    /// Hands everything formatted so far to the destination queues (after each read).
    public func flush() {
        for output in outputs { output.flush() }
    }

    /// At end of stream: emits unfinished lines as they are, then flushes.
    public func finish() {
        reassembler.flush { line in
            for output in outputs { output.append(line) }
        }
        flush()
    }

    /// Builds the formatters a stream's settings ask for, in destination order.
    public static func formatters(for settings: StreamSettings) -> [(DestinationKey, MessageFormatter)] {
        var result: [(DestinationKey, MessageFormatter)] = []
        if let syslog = settings.syslog {
            let formatter = SyslogFormatter(format: syslog.format, facility: syslog.facility, framing: syslog.framing,
                                            structuredDataID: syslog.structuredDataID, context: settings.context)
            let framing: WireFraming
            switch syslog.framing {
            case nil: framing = .syslogDatagram
            case .octetCounted?: framing = .syslogOctetCounted
            case .nonTransparent?: framing = .syslogLineFeed
            }
            result.append((DestinationKey(syslog.destination, framing: framing), .syslog(formatter)))
        }
        if let tcp = settings.tcp {
            switch tcp.format {
            case .json: result.append((DestinationKey(tcp.destination, framing: .jsonLines), .json(JSONLineFormatter(context: settings.context))))
            case .gelf: result.append((DestinationKey(tcp.destination, framing: .gelf), .gelf(GELFFormatter(context: settings.context))))
            case .raw: result.append((DestinationKey(tcp.destination, framing: .rawLines), .raw(RawFormatter())))
            }
        }
        return result
    }
}
