import LogshipWire

/// A LogEntry frame as the daemon writes it: [uint32 BE length][protobuf].
public func dockerFrame(_ source: String, _ line: [UInt8], time: UInt64 = 1_700_000_000_123_456_789,
                        partial: (last: Bool, id: String, ordinal: Int)? = nil) -> [UInt8] {
    FrameEncoder.frame(source: source, timeNano: time, line: line, partial: partial)
}
