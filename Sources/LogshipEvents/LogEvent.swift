import LogshipWire

/// One message ready to format: a line, or lines joined into one message, with the
/// severity it is sent at and, with `parse-json`, the fields of a JSON object line.
/// `bytes` and `fields` are valid only during the call that hands the event out.
public struct LogEvent {
    /// stdout or stderr (a joined message keeps its first line's).
    public var source: LogSource
    /// When Docker read the (first) line, in nanoseconds since the epoch.
    public var timeNano: Int64
    /// The message: joined lines are separated by LF.
    public var bytes: UnsafeRawBufferPointer
    public var severity: Severity
    /// How many lines the message is made of (1: a line on its own).
    public var lines: Int
    /// The members of a JSON object line (`parse-json`); nil otherwise. Not retained:
    /// the event builder owns it and reuses it for the next line.
    public unowned(unsafe) var fields: JSONLineFields?

    @inline(__always)
    public init(source: LogSource, timeNano: Int64, bytes: UnsafeRawBufferPointer, severity: Severity,
                lines: Int = 1, fields: JSONLineFields? = nil) {
        self.source = source
        self.timeNano = timeNano
        self.bytes = bytes
        self.severity = severity
        self.lines = lines
        self.fields = fields
    }

    /// A line as its own message, at Docker's severity for its stream.
    @inline(__always)
    public init(_ line: Line) {
        self.init(source: line.source, timeNano: line.timeNano, bytes: line.bytes, severity: .of(line.source))
    }
}
