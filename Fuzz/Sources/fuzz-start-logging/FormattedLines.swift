import FuzzSupport
import LogshipConfig
import LogshipFormat
import LogshipJSON
import LogshipWire

/// Formats one line for each destination the settings name, the way the stream
/// pipeline will, and checks that what the fuzzed container facts put into headers
/// (tag, names, labels, env) cannot break a message's framing:
///
/// - json: one JSON object, then LF;
/// - gelf: one JSON object, then NUL;
/// - syslog, non-transparent: LF only as the terminator;
/// - syslog, octet-counted: the count is the length of the rest;
/// - syslog over RELP: the message ends with the line, no delimiter.
enum FormattedLines {
    static let message = Array("hello from the fuzzer".utf8)

    static func check(_ settings: StreamSettings) {
        for source in [LogSource.stdout, .stderr] {
            message.withUnsafeBytes { bytes in
                let line = Line(source: source, timeNano: 1_700_000_000_123_456_789, bytes: bytes)
                if let syslog = settings.syslog { checkSyslog(syslog, settings.context, line) }
                if let tcp = settings.tcp { checkTCP(tcp.format, settings.context, line) }
            }
        }
    }

    private static func checkSyslog(_ syslog: StreamSettings.Syslog, _ context: FormatContext, _ line: Line) {
        var formatter = SyslogFormatter(format: syslog.format, facility: syslog.facility, delimiting: syslog.delimiting,
                                        structuredDataID: syslog.structuredDataID, context: context)
        var out: [UInt8] = []
        formatter.append(line, to: &out)
        if syslog.delimiting == .none {
            // RELP: the command carries the length; the message ends with the line.
            invariant(out.count > message.count && Array(out.suffix(message.count)) == message,
                      "a message for RELP does not end with the line: \(text(out))")
            return
        }
        switch syslog.framing {
        case .octetCounted:
            let space = out.firstIndex(of: UInt8(ascii: " "))
            let count = space.flatMap { Int(String(decoding: out[..<$0], as: UTF8.self)) }
            invariant(space != nil && count == out.count - space! - 1, "octet count does not match: \(text(out))")
        case .nonTransparent:
            // The receiver splits the stream at every LF: one inside the header would
            // cut this message in two and make the rest of it a message of its own.
            let newlines = out.indices.filter { out[$0] == UInt8(ascii: "\n") }
            invariant(newlines == [out.count - 1], "syslog message has LF at \(newlines) of \(out.count) bytes: \(text(out))")
        case nil:
            break  // one datagram per message: nothing in it can move the boundary
        }
    }

    private static func checkTCP(_ format: TCPFormat, _ context: FormatContext, _ line: Line) {
        var out: [UInt8] = []
        let terminator: UInt8
        switch format {
        case .json:
            var formatter = JSONLineFormatter(context: context)
            formatter.append(line, to: &out)
            terminator = UInt8(ascii: "\n")
        case .gelf:
            var formatter = GELFFormatter(context: context)
            formatter.append(line, to: &out)
            terminator = 0
        case .raw:
            var formatter = RawFormatter()
            formatter.append(line, to: &out)
            invariant(out == message + [UInt8(ascii: "\n")], "raw output is not the line: \(text(out))")
            return
        }
        invariant(out.last == terminator, "\(format) message does not end in its terminator: \(text(out))")
        let document = (try? JSONParser.parse(Array(out.dropLast())))
        invariant(document?.object != nil, "\(format) message is not one JSON object: \(text(out))")
    }

    private static func text(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.prefix(2048), as: UTF8.self).debugDescription
    }
}
