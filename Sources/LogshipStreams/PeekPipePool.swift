import LogshipSystem

/// The pipes stream readers peek through with `tee(2)`, shared by all of them.
///
/// Every root process of the host (each container's stdio pipes, Docker's FIFOs) draws
/// on one budget of pipe pages, `fs.pipe-user-pages-soft`; past it new pipes get two
/// pages, too few to hold a 16 KiB frame, and cannot be enlarged (the plugin has no
/// CAP_SYS_RESOURCE). A pipe per stream would spend 16 pages per container and leave
/// the streams started late with useless pipes. A reader needs a pipe only for one tee
/// and the read that empties it, so a few pipes, made when the plugin starts, serve any
/// number of streams.
final class PeekPipePool: @unchecked Sendable {
    struct Pipe {
        let read: FileDescriptor
        let write: FileDescriptor
        /// The most bytes one peek through it can return.
        var capacity: Int
    }

    private let lock = ConditionLock()
    private var idle: [Pipe] = []
    private var all: [Pipe] = []

    /// The size each pipe is given: what Docker's FIFOs have.
    static let pipeBytes = 64 * 1024

    init(pipes: Int) throws {
        for _ in 0..<pipes {
            let made = try FileDescriptor.pipe()
            let capacity = (try? made.write.setPipeSize(Self.pipeBytes)) ?? ((try? made.write.pipeSize()) ?? 4096)
            all.append(Pipe(read: made.read, write: made.write, capacity: capacity))
        }
        idle = all
    }

    deinit {
        for pipe in all {
            pipe.read.close()
            pipe.write.close()
        }
    }

    /// The smallest capacity among the pipes (what any borrowed one offers at least).
    var capacity: Int { lock.withLock { all.map(\.capacity).min() ?? 0 } }

    /// Runs `body` with a pipe of its own, waiting for one if all are in use; `body`
    /// must leave it empty.
    func withPipe<R>(_ body: (inout Pipe) throws -> R) rethrows -> R {
        var pipe = lock.withLock {
            while idle.isEmpty { lock.wait() }
            return idle.removeLast()
        }
        defer {
            lock.withLock {
                if let index = all.firstIndex(where: { $0.write == pipe.write }) { all[index].capacity = pipe.capacity }
                idle.append(pipe)
                lock.signal()
            }
        }
        return try body(&pipe)
    }
}
