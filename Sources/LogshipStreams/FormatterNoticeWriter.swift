import LogshipDelivery
import LogshipEvents
import LogshipFormat
import LogshipSystem
import LogshipWire

/// Writes a container's drop notices with a copy of its stream's formatter: the same
/// tag, attributes and framing as its lines, severity warning (`LogSource.logship`),
/// stamped when written. Used by the destination's sender thread only (the queue calls
/// it under its lock), never by the stream's reader, which has a formatter of its own.
final class FormatterNoticeWriter<Formatter: LineFormatter>: DropNoticeWriter, @unchecked Sendable {
    private var formatter: Formatter

    init(formatter: Formatter) {
        self.formatter = formatter
    }

    func append(notice text: String, to batch: inout MessageBatch) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { raw in
            formatter.append(LogEvent(Line(source: .logship, timeNano: WallClock.now(), bytes: UnsafeRawBufferPointer(raw))),
                             to: &batch.bytes)
        }
        batch.endMessage()
    }
}
