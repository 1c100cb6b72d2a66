import Glibc
import Synchronization

/// The one owner of a descriptor that outlives a scope: a spool segment or cursor file, a
/// stream's FIFO.
///
/// It closes the descriptor exactly once (`close`, or when the last reference goes), and from
/// then on refuses to hand the number out: a late use throws EBADF naming the file instead of
/// reading or writing whatever the kernel has since given that number to (another
/// destination's segment, a TLS file). The owners order use and close (a reader closes its
/// FIFO on its own thread when it ends; a queue closes its spool only after its readers and
/// sender have stopped), so this check is what turns a broken order into an error, not a lock.
public final class OwnedDescriptor: Sendable, CustomStringConvertible {
    private static let closedValue: Int32 = -1
    private let raw: Atomic<Int32>
    /// What the descriptor is (a path), for errors.
    public let name: String

    public init(_ descriptor: FileDescriptor, name: String) {
        raw = Atomic(descriptor.rawValue)
        self.name = name
    }

    deinit { close() }

    public var description: String { "\(name) (\(isOpen ? "fd \(raw.load(ordering: .relaxed))" : "closed"))" }

    public var isOpen: Bool { raw.load(ordering: .acquiring) != Self.closedValue }

    /// The open descriptor; throws once it has been closed.
    public var descriptor: FileDescriptor {
        get throws {
            let value = raw.load(ordering: .acquiring)
            guard value != Self.closedValue else { throw SystemError("use after close", errno: EBADF, context: name) }
            return FileDescriptor(rawValue: value)
        }
    }

    /// Closes the descriptor the first time; later calls do nothing.
    public func close() {
        let value = raw.exchange(Self.closedValue, ordering: .acquiringAndReleasing)
        if value != Self.closedValue { FileDescriptor(rawValue: value).close() }
    }
}
