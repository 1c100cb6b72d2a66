import LogshipSystem

/// Where a stream reader gets its bytes: the unconsumed head of the FIFO, then a
/// promise about how much of it was dealt with.
protocol FIFOSource {
    /// Waits for data and returns the bytes at the head of the stream that have not
    /// been consumed yet (valid until the next call); nil at end of stream.
    mutating func available() throws -> UnsafeRawBufferPointer?
    /// The first `count` bytes of what `available` returned are safely handed on.
    mutating func consume(_ count: Int) throws
    /// The most bytes `available` can ever return at once.
    var capacity: Int { get }
    var reads: Int { get }
    /// Releases the source's buffer and descriptors (not the FIFO's).
    func close()
}

/// Peeks at the FIFO with `tee` and consumes only what has been handed to the
/// destination queues (and so is in the spool). If the plugin is killed in between,
/// those bytes are still in Docker's pipe and the re-attached plugin reads them
/// again: a crash can duplicate a few lines, never lose them.
struct PeekingSource: FIFOSource {
    private let fifo: FileDescriptor
    private let pipe: (read: FileDescriptor, write: FileDescriptor)
    private let buffer: UnsafeMutableRawBufferPointer
    let capacity: Int
    private(set) var reads = 0

    init(fifo: FileDescriptor) throws {
        self.fifo = fifo
        pipe = try FileDescriptor.pipe()
        let fifoSize = (try? fifo.pipeSize()) ?? 65536
        let granted = (try? pipe.write.setPipeSize(fifoSize)) ?? ((try? pipe.write.pipeSize()) ?? 65536)
        capacity = granted
        buffer = .allocate(byteCount: granted, alignment: 16)
    }

    mutating func available() throws -> UnsafeRawBufferPointer? {
        let n = try fifo.peek(into: pipe.write, maxBytes: capacity)
        if n == 0 { return nil }
        reads += 1
        var got = 0
        while got < n {
            let r = try pipe.read.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[got..<n]))
            if r == 0 { break }
            got += r
        }
        return UnsafeRawBufferPointer(rebasing: buffer[..<got])
    }

    mutating func consume(_ count: Int) throws {
        try fifo.discard(count, using: buffer)
    }

    func close() {
        pipe.read.close()
        pipe.write.close()
        buffer.deallocate()
    }
}

/// Plain reads that consume as they go, keeping an incomplete frame for the next
/// read. Used where peeking cannot work: no `tee`, or a frame larger than the pipe.
struct ConsumingSource: FIFOSource {
    private let fifo: FileDescriptor
    private var buffer: UnsafeMutableRawBufferPointer
    private var filled = 0
    private var consumed = 0
    private(set) var reads = 0

    init(fifo: FileDescriptor, capacity: Int) {
        self.fifo = fifo
        buffer = .allocate(byteCount: capacity, alignment: 16)
    }

    var capacity: Int { buffer.count }

    /// Makes room for a frame of `size` bytes (the decoder's limit bounds it).
    mutating func reserve(_ size: Int) {
        guard size > buffer.count else { return }
        let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        larger.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: filled)
        buffer.deallocate()
        buffer = larger
    }

    func close() { buffer.deallocate() }

    mutating func available() throws -> UnsafeRawBufferPointer? {
        if consumed > 0 {
            filled -= consumed
            if filled > 0 { buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + consumed, byteCount: filled) }
            consumed = 0
        }
        let n = try fifo.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
        if n == 0 { return nil }
        reads += 1
        filled += n
        return UnsafeRawBufferPointer(rebasing: buffer[..<filled])
    }

    mutating func consume(_ count: Int) throws {
        consumed = count
    }

    /// Bytes received but never consumed (an incomplete frame at end of stream).
    var leftover: Int { filled - consumed }
}
