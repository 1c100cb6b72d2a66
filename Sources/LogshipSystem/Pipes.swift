import Glibc

// Pipes and FIFOs: making them, their size, and peeking at them with `tee(2)`, which
// copies what is at the head of a pipe into another pipe without consuming it.
// Glibc's module map hides `tee` (it needs _GNU_SOURCE), so it is looked up once at
// run time; it is in every Linux libc.
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
        // A zero timeout: not a wait, a look at the hang-up flag that `wait` folds away.
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

extension FileDescriptor {
    /// Creates a FIFO at `path` (used by tests that play the Docker daemon).
    public static func makeFIFO(at path: String, mode: mode_t = 0o600) throws {
        guard mkfifo(path, mode) == 0 else { throw SystemError.current("mkfifo", context: path) }
    }

    /// A pipe pair, for waking threads and for tests.
    public static func pipe() throws -> (read: FileDescriptor, write: FileDescriptor) {
        var fds: [Int32] = [0, 0]
        guard Glibc.pipe(&fds) == 0 else { throw SystemError.current("pipe") }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return (FileDescriptor(rawValue: fds[0]), FileDescriptor(rawValue: fds[1]))
    }
}

extension FileDescriptor {
    /// Asks the kernel for a larger pipe buffer; returns the size it granted.
    @discardableResult
    public func setPipeSize(_ bytes: Int) throws -> Int {
        let granted = fcntl(rawValue, linuxSetPipeSize, Int32(clamping: bytes))
        guard granted >= 0 else { throw SystemError.current("fcntl(F_SETPIPE_SZ)", context: description) }
        return Int(granted)
    }

    public func pipeSize() throws -> Int {
        let size = fcntl(rawValue, linuxGetPipeSize)
        guard size >= 0 else { throw SystemError.current("fcntl(F_GETPIPE_SZ)", context: description) }
        return Int(size)
    }
}

// Glibc's module map hides these Linux-only fcntl commands (they need _GNU_SOURCE).
// Values from <linux/fcntl.h>: F_LINUX_SPECIFIC_BASE (1024) + 7 and + 8.
private let linuxSetPipeSize: Int32 = 1031
private let linuxGetPipeSize: Int32 = 1032
