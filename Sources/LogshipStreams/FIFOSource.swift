import LogshipSystem

/// Where a stream reader gets its bytes: the unconsumed head of Docker's FIFO, peeked
/// at with `tee(2)` through a pipe borrowed from the plugin's `PeekPipePool`, and
/// consumed only once the reader has handed it on. If the plugin dies in between,
/// those bytes are still in the FIFO and the re-attached plugin reads them again: a
/// crash can repeat a few lines, never lose them.
///
/// The source owns the decisions about the FIFO itself: how large a peek can be (it
/// grows the FIFO and the peek pipe for a frame that does not fit), when a writer left
/// in the middle of a frame, and the one degraded mode: a frame that no pipe can be
/// made large enough to peek at whole is read the consuming way (logged at warn), so a
/// plugin killed while it holds such a frame loses that frame and the next run
/// resynchronises on the frame after it.
struct FIFOSource {
    enum Event {
        /// The unconsumed head of the stream; valid until the next call.
        case bytes(UnsafeRawBufferPointer)
        /// The writer is gone and everything was read; `incompleteBytes` of a frame it
        /// never finished are left over.
        case endOfStream(incompleteBytes: Int)
        /// The plugin is stopping: nothing more is read or consumed.
        case stopped
        /// The deadline passed with nothing to read.
        case timedOut
    }

    private enum Peek {
        case bytes(Int)
        /// Nothing in the FIFO, and a writer still has it open.
        case empty
        /// The pipe cannot be made large enough for the frame that is needed.
        case tooSmall(SystemError)
    }

    private let fifo: FileDescriptor  // owned by the reader
    private let pool: PeekPipePool
    private var buffer: UnsafeMutableRawBufferPointer
    /// Bytes read the consuming way (degraded mode) and not yet handed on.
    private var held = 0
    private(set) var reads = 0
    private var degradedReported = false
    private let log: LogSink
    private let label: String

    /// The most bytes one read hands on, unless a frame needs more.
    static let readBytes = 64 * 1024

    init(fifo: FileDescriptor, pool: PeekPipePool, log: LogSink, label: String) {
        self.fifo = fifo
        self.pool = pool
        self.log = log
        self.label = label
        buffer = .allocate(byteCount: Self.readBytes, alignment: 16)
    }

    func close() {
        buffer.deallocate()
    }

    /// How much one read can return (a burst is a read of at least half of it).
    var capacity: Int { buffer.count }

    /// Waits for the head of the stream, at least `minimum` bytes of it when that much
    /// is needed to finish a frame (0: whatever is there), until `deadline` (monotonic;
    /// nil: as long as it takes) when the FIFO stays empty.
    mutating func next(atLeast minimum: Int, stop: StopSignal, deadline: Int64? = nil) throws -> Event {
        if held > 0 { return try readConsuming(atLeast: minimum) }
        if minimum > buffer.count { resize(to: minimum) }
        while true {
            if stop.isTriggered { return .stopped }
            switch try peek(atLeast: minimum) {
            case .empty:
                switch try waitForData(stop, until: deadline) {
                case .stopped: return .stopped
                case .timedOut: return .timedOut
                case .ready: continue
                }
            case let .tooSmall(error):
                if !degradedReported {
                    degradedReported = true
                    log.warn("\(label) a frame of \(minimum) bytes does not fit the pipes (\(error)); reading such frames without peeking: a plugin crash while one is read loses it")
                }
                return try readConsuming(atLeast: minimum)
            case .bytes(0):
                return .endOfStream(incompleteBytes: 0)
            case let .bytes(got):
                if got >= max(minimum, 1) { return .bytes(UnsafeRawBufferPointer(rebasing: buffer[..<got])) }
                // The rest of a frame: Docker writes a frame with one write(), so it is
                // on its way, unless the writer is gone.
                if fifo.isHungUp() { return .endOfStream(incompleteBytes: got) }
                if stop.wait(nanoseconds: 1_000_000) { return .stopped }
            }
        }
    }

    /// The first `count` bytes of what `next` returned are safely handed on.
    mutating func consume(_ count: Int) throws {
        guard count > 0 else { return }
        if held > 0 {
            held -= count
            if held > 0 { buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + count, byteCount: held) }
        } else {
            try fifo.discard(count, using: buffer)
        }
    }

    /// Copies the FIFO's head into `buffer` through a pooled pipe, leaving the pipe empty.
    private mutating func peek(atLeast minimum: Int) throws -> Peek {
        let fifo = self.fifo
        let buffer = self.buffer
        let result = try pool.withPipe { pipe throws -> Peek in
            if minimum > pipe.capacity {
                do {
                    if try fifo.pipeSize() < minimum { try fifo.setPipeSize(minimum) }
                    pipe.capacity = try pipe.write.setPipeSize(minimum)
                } catch let error as SystemError {
                    return .tooSmall(error)
                }
            }
            guard let teed = try fifo.peekIfAvailable(into: pipe.write, maxBytes: min(pipe.capacity, buffer.count)) else { return .empty }
            var got = 0
            do {
                while got < teed {
                    let n = try pipe.read.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[got..<teed]))
                    if n == 0 { break }
                    got += n
                }
            } catch {
                // The next borrower must find the pipe empty.
                while got < teed, let n = try? pipe.read.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<min(buffer.count, teed - got)])), n > 0 { got += n }
                throw error
            }
            return .bytes(got)
        }
        if case let .bytes(got) = result, got > 0 { reads += 1 }
        return result
    }

    private enum Wait { case ready, stopped, timedOut }

    /// Blocks until the FIFO has data (or its writer left), the plugin stops or
    /// `deadline` passes.
    private func waitForData(_ stop: StopSignal, until deadline: Int64?) throws -> Wait {
        let ready = try FileDescriptor.wait([(fifo, .readable), (stop.descriptor, .readable)], until: deadline)
        if stop.isTriggered || ready?[1] == true { return .stopped }
        return ready == nil ? .timedOut : .ready
    }

    /// Degraded mode: reads exactly up to `minimum` bytes, taking them out of the FIFO.
    /// Once a frame is partly taken it is finished whatever happens: the daemon writes
    /// it in one piece, so the rest is already there or coming.
    private mutating func readConsuming(atLeast minimum: Int) throws -> Event {
        if minimum > buffer.count { resize(to: minimum) }
        repeat {
            let n = try fifo.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[held..<max(minimum, held + 1)]))
            if n == 0 { return .endOfStream(incompleteBytes: held) }
            reads += 1
            held += n
        } while held < minimum
        return .bytes(UnsafeRawBufferPointer(rebasing: buffer[..<held]))
    }

    private mutating func resize(to bytes: Int) {
        let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes, alignment: 16)
        if held > 0 { larger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: held) }
        buffer.deallocate()
        buffer = larger
    }
}
