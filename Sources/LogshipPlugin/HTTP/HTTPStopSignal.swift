import LogshipSystem
import Synchronization

/// A one-way "stop now" that any number of threads can wait on in `poll` alongside
/// their socket: a pipe that becomes readable once and stays readable.
final class HTTPStopSignal: Sendable {
    private let pipe: (read: FileDescriptor, write: FileDescriptor)
    private let triggered = Atomic<Bool>(false)

    init() throws {
        pipe = try FileDescriptor.pipe()
    }

    deinit {
        pipe.read.close()
        pipe.write.close()
    }

    var descriptor: FileDescriptor { pipe.read }

    var isTriggered: Bool { triggered.load(ordering: .acquiring) }

    func trigger() {
        guard !triggered.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = try? pipe.write.writeAll([UInt8(1)])
    }
}
