import LogshipConfig
import LogshipDelivery
import LogshipFormat
import LogshipWire

/// Everything between a decoded entry and the destination queues, for one stream:
/// reassembly, then formatting into one batch per destination.
///
/// A class so the reassembler's callback can reach `outputs` without tripping
/// Swift's exclusivity rules on a struct.
final class StreamPipeline {
    private var reassembler: Reassembler
    private var outputs: [DestinationOutput]

    init(settings: StreamSettings, destinations: [(Destination, MessageFormatter)]) {
        reassembler = Reassembler(maxLineBytes: settings.maxLineBytes)
        outputs = destinations.map { DestinationOutput(destination: $0.0, formatter: $0.1) }
    }

    var reassembledLines: Int { reassembler.reassembledLines }

    @inline(__always)
    func handle(_ entry: LogEntry) {
        reassembler.push(entry) { line in
            for index in outputs.indices { outputs[index].append(line) }
        }
    }

    /// Hands everything formatted so far to the destination queues (after each read).
    func flush() {
        for index in outputs.indices { outputs[index].flush() }
    }

    /// At end of stream: emits unfinished lines as they are, then flushes.
    func finish() {
        reassembler.flush { line in
            for index in outputs.indices { outputs[index].append(line) }
        }
        flush()
    }

    /// Builds the formatters a stream's settings ask for, in destination order.
    static func formatters(for settings: StreamSettings) -> [(Endpoint, MessageFormatter)] {
        var result: [(Endpoint, MessageFormatter)] = []
        if let syslog = settings.syslog {
            let formatter = SyslogFormatter(format: syslog.format, facility: syslog.facility, framing: syslog.framing,
                                            structuredDataID: syslog.structuredDataID, context: settings.context)
            result.append((syslog.endpoint, .syslog(formatter)))
        }
        if let tcp = settings.tcp {
            switch tcp.format {
            case .json: result.append((tcp.endpoint, .json(JSONLineFormatter(context: settings.context))))
            case .gelf: result.append((tcp.endpoint, .gelf(GELFFormatter(context: settings.context))))
            case .raw: result.append((tcp.endpoint, .raw(RawFormatter())))
            }
        }
        return result
    }
}
