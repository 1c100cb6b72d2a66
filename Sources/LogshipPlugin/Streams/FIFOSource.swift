import LogshipSystem

/// Where a stream reader gets its bytes: the unconsumed head of Docker's FIFO, peeked
/// at with `tee(2)`, and consumed only once the reader has handed it on. If the plugin
/// dies in between, those bytes are still in the FIFO and the re-attached plugin reads
/// them again: a crash can repeat a few lines, never lose them.
///
/// The source owns the decisions about the FIFO itself: how large a peek can be (it
/// grows the peek pipe, and the FIFO, for a frame that does not fit), when a writer
/// left in the middle of a frame, and the one degraded mode: a frame that no pipe can
/// be made large enough to peek at whole is read the consuming way (logged at warn),
/// so a plugin killed while it holds such a frame loses that frame and the next run
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
    }

    private let fifo: FileDescriptor  // owned by the reader
    private let peekPipe: (read: FileDescriptor, write: FileDescriptor)  // owned here
    private var buffer: UnsafeMutableRawBufferPointer
    /// The most bytes one peek can return (the peek pipe's size).
    private(set) var capacity: Int
    /// Bytes read the consuming way (degraded mode) and not yet handed on.
    private var held = 0
    private(set) var reads = 0
    private var degradedReported = false
    private let log: LogSink
    private let label: String

    /// A peek pipe as large as the FIFO: Docker's FIFO keeps its default size (64 KiB),
    /// which holds any frame the daemon writes (at most 16 KiB of line and its header).
    init(fifo: FileDescriptor, log: LogSink, label: String) throws {
        self.fifo = fifo
        self.log = log
        self.label = label
        peekPipe = try FileDescriptor.pipe()
        let fifoSize = (try? fifo.pipeSize()) ?? 65536
        capacity = (try? peekPipe.write.setPipeSize(fifoSize)) ?? ((try? peekPipe.write.pipeSize()) ?? 4096)
        buffer = .allocate(byteCount: capacity, alignment: 16)
    }

    func close() {
        peekPipe.read.close()
        peekPipe.write.close()
        buffer.deallocate()
    }

    /// Waits for the head of the stream, at least `minimum` bytes of it when that much
    /// is needed to finish a frame (0: whatever is there).
    mutating func next(atLeast minimum: Int, stop: StopSignal) throws -> Event {
        if held > 0 || (minimum > capacity && !canPeek(minimum)) {
            return try readConsuming(atLeast: minimum, stop: stop)
        }
        while true {
            if stop.isTriggered { return .stopped }
            guard let teed = try fifo.peekIfAvailable(into: peekPipe.write, maxBytes: capacity) else {
                if try !waitForData(stop) { return .stopped }
                continue
            }
            if teed == 0 { return .endOfStream(incompleteBytes: 0) }
            reads += 1
            var got = 0
            while got < teed {
                let n = try peekPipe.read.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[got..<teed]))
                if n == 0 { break }
                got += n
            }
            if got >= max(minimum, 1) { return .bytes(UnsafeRawBufferPointer(rebasing: buffer[..<got])) }
            // The rest of a frame: Docker writes a frame with one write(), so it is on
            // its way, unless the writer is gone.
            if fifo.isHungUp() { return .endOfStream(incompleteBytes: got) }
            if stop.wait(nanoseconds: 1_000_000) { return .stopped }
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

    /// Blocks until the FIFO has data (or its writer left) or the plugin stops.
    private func waitForData(_ stop: StopSignal) throws -> Bool {
        let ready = try FileDescriptor.waitReadable([fifo, stop.descriptor], timeoutMilliseconds: -1)
        return !ready[1] && !stop.isTriggered
    }

    /// Makes the peek pipe (and the FIFO) large enough for a frame of `bytes`.
    private mutating func canPeek(_ bytes: Int) -> Bool {
        do {
            if try fifo.pipeSize() < bytes { try fifo.setPipeSize(bytes) }
            let granted = try peekPipe.write.setPipeSize(bytes)
            capacity = granted
            if granted > buffer.count { resize(to: granted) }
            log.debug("\(label) peek pipe grown to \(granted) bytes for a frame of \(bytes)")
            return true
        } catch {
            if !degradedReported {
                degradedReported = true
                log.warn("\(label) a frame of \(bytes) bytes does not fit the pipes (\(error)); reading such frames without peeking: a plugin crash while one is read loses it")
            }
            return false
        }
    }

    /// Degraded mode: reads exactly up to `minimum` bytes, taking them out of the FIFO.
    private mutating func readConsuming(atLeast minimum: Int, stop: StopSignal) throws -> Event {
        if minimum > buffer.count { resize(to: minimum) }
        if held == 0 && stop.isTriggered { return .stopped }
        // Once a frame is partly taken, it is finished whatever happens: the daemon
        // writes it in one piece, so the rest is already there or coming.
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
