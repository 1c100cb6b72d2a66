/// One log line ready to format: a whole line, a reassembled line, or a piece of a
/// line longer than the configured maximum. `bytes` is valid only during the
/// `emit` call that hands it out.
public struct Line {
    /// stdout or stderr (joined pieces keep their first piece's).
    public var source: LogSource
    /// When Docker read the line (its first piece), in nanoseconds since the epoch.
    public var timeNano: Int64
    /// The line without its newline.
    public var bytes: UnsafeRawBufferPointer

    public init(source: LogSource, timeNano: Int64, bytes: UnsafeRawBufferPointer) {
        self.source = source
        self.timeNano = timeNano
        self.bytes = bytes
    }
}
