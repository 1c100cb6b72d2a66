import LogshipSystem

/// A log that shows only errors, for objects under test whose warnings a test expects
/// (a receiver that is down on purpose) and would only clutter the output.
public let testLog = LogSink(minimumLevel: .error)
