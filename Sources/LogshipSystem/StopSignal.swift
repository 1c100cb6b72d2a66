import Synchronization

/// A one-way "stop now" that any number of threads can wait on in `poll` alongside
/// their own descriptor: a pipe that becomes readable once and stays readable. The
/// HTTP server's connections and the stream readers are told to stop this way.
public final class StopSignal: Sendable {
    private let pipe: (read: FileDescriptor, write: FileDescriptor)
    private let triggered = Atomic<Bool>(false)

    public init() throws {
        pipe = try FileDescriptor.pipe()
    }

    deinit {
        pipe.read.close()
        pipe.write.close()
    }

    /// Readable once the signal is triggered.
    public var descriptor: FileDescriptor { pipe.read }

    public var isTriggered: Bool { triggered.load(ordering: .acquiring) }

    public func trigger() {
        guard !triggered.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = try? pipe.write.writeAll([UInt8(1)])
    }

    /// Sleeps for `nanoseconds` unless the signal is (or gets) triggered first; returns
    /// whether it was triggered.
    public func wait(nanoseconds: Int64) -> Bool {
        if isTriggered { return true }
        _ = try? descriptor.wait(for: .readable, until: MonotonicClock.now() + nanoseconds)
        return isTriggered
    }
}
