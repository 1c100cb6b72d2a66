import Glibc
import LogshipSystem

/// A FIFO held open read-write the way the daemon holds it.
public struct DaemonFIFO {
    public let path: String
    public let writer: FileDescriptor

    public init(name: String = "fifo") throws {
        path = "/tmp/logship-plugin-test-\(getpid())-\(name)-\(MonotonicClock.now())"
        try FileDescriptor.makeFIFO(at: path)
        writer = try FileDescriptor.open(path, .readWrite)
    }

    public func write(_ bytes: [UInt8]) throws { try writer.writeAll(bytes) }

    /// The daemon closes its end after StopLogging is answered, then unlinks the FIFO.
    public func close() {
        writer.close()
        unlink(path)
    }
}
