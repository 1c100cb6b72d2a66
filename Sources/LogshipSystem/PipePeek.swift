import Glibc

/// `tee(2)`: copying what is at the head of a pipe into another pipe without
/// consuming it. Glibc's module map hides it (it needs _GNU_SOURCE), so it is looked
/// up once at run time; it is in every Linux libc.
private typealias TeeFunction = @convention(c) (Int32, Int32, Int, UInt32) -> Int

/// SPLICE_F_NONBLOCK from <fcntl.h>, hidden like `tee` itself.
private let spliceNonBlocking: UInt32 = 2

private let teeFunction: TeeFunction? = {
    guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "tee") else { return nil }
    return unsafeBitCast(symbol, to: TeeFunction.self)
}()

extension FileDescriptor {
    /// Whether `peek(into:maxBytes:)` is available.
    public static var canPeekPipes: Bool { teeFunction != nil }

    /// Duplicates up to `maxBytes` from the head of this pipe into `pipe`, leaving them
    /// in this one; waits for data like `read`. Returns 0 at end of file (the pipe is
    /// empty and has no writer left).
    public func peek(into pipe: FileDescriptor, maxBytes: Int) throws -> Int {
        guard let tee = teeFunction else { throw SystemError("tee", errno: ENOSYS, context: description) }
        let n = retryingEINTR { tee(rawValue, pipe.rawValue, maxBytes, 0) }
        guard n >= 0 else { throw SystemError.current("tee", context: description) }
        return n
    }

    /// `peek` that never waits: nil when the pipe is empty but still has a writer.
    ///
    /// A FIFO opened without a writer reports no POLLHUP until a writer has come and
    /// gone (Linux suppresses it for such readers), so `poll` alone would wait forever
    /// on a FIFO whose container stopped while the plugin was down; this sees its end.
    public func peekIfAvailable(into pipe: FileDescriptor, maxBytes: Int) throws -> Int? {
        guard let tee = teeFunction else { throw SystemError("tee", errno: ENOSYS, context: description) }
        let n = retryingEINTR { tee(rawValue, pipe.rawValue, maxBytes, spliceNonBlocking) }
        if n < 0 && errno == EAGAIN { return nil }
        guard n >= 0 else { throw SystemError.current("tee", context: description) }
        return n
    }

    /// True when the other end of this pipe has no writer left (poll's POLLHUP).
    public func isHungUp() -> Bool {
        var pfd = pollfd(fd: rawValue, events: Int16(POLLIN), revents: 0)
        guard retryingEINTR({ poll(&pfd, 1, 0) }) > 0 else { return false }
        return pfd.revents & Int16(POLLHUP) != 0
    }

    /// Reads and throws away exactly `count` bytes (or fewer at end of file), using
    /// `scratch` as the landing place.
    public func discard(_ count: Int, using scratch: UnsafeMutableRawBufferPointer) throws {
        var left = count
        while left > 0 {
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: scratch[..<min(left, scratch.count)]))
            if n == 0 { return }
            left -= n
        }
    }
}
