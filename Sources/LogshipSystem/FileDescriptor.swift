// The LogshipSystem module: thin typed wrappers over the system calls the plugin makes
// (descriptors, files, pipes, sockets, poll, threads, locks, signals, its own log). Every
// syscall goes through here: EINTR is retried in one place and every failure is a
// `SystemError` naming the call, its target and errno.

import Glibc

/// An open file descriptor: a typed wrapper in the spirit of swift-system.
///
/// It is a plain value, for descriptors whose owner is a scope or one thread (a FIFO is
/// opened for its reader and closed by it when it ends). A descriptor that several
/// threads may use and one of them closes lives in an `OwnedDescriptor` or a `Socket`,
/// which close it exactly once and refuse it afterwards.
public struct FileDescriptor: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    public var description: String { "fd \(rawValue)" }

    public struct OpenFlags: OptionSet, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        public static let readOnly = OpenFlags(rawValue: O_RDONLY)
        public static let writeOnly = OpenFlags(rawValue: O_WRONLY)
        public static let readWrite = OpenFlags(rawValue: O_RDWR)
        public static let create = OpenFlags(rawValue: O_CREAT)
        public static let truncate = OpenFlags(rawValue: O_TRUNC)
        public static let append = OpenFlags(rawValue: O_APPEND)
        public static let nonBlocking = OpenFlags(rawValue: O_NONBLOCK)
        public static let closeOnExec = OpenFlags(rawValue: O_CLOEXEC)
    }

    public static func open(_ path: String, _ flags: OpenFlags, mode: mode_t = 0o644) throws -> FileDescriptor {
        let fd = retryingEINTR { Glibc.open(path, flags.union(.closeOnExec).rawValue, mode) }
        guard fd >= 0 else { throw SystemError.current("open", context: path) }
        return FileDescriptor(rawValue: fd)
    }

    /// Reads at most `buffer.count` bytes; returns 0 at end of file.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = retryingEINTR { Glibc.read(rawValue, buffer.baseAddress, buffer.count) }
        guard n >= 0 else { throw SystemError.current("read", context: description) }
        return n
    }

    /// Writes at most `buffer.count` bytes; returns how many were written.
    public func write(_ buffer: UnsafeRawBufferPointer) throws -> Int {
        let n = retryingEINTR { Glibc.write(rawValue, buffer.baseAddress, buffer.count) }
        guard n >= 0 else { throw SystemError.current("write", context: description) }
        return n
    }

    /// Writes the whole buffer, looping over short writes.
    public func writeAll(_ buffer: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < buffer.count {
            offset += try write(UnsafeRawBufferPointer(rebasing: buffer[offset...]))
        }
    }

    public func writeAll(_ bytes: some Sequence<UInt8>) throws {
        let array = Array(bytes)
        try array.withUnsafeBytes { try writeAll($0) }
    }

    public func close() {
        // Not retried on EINTR: on Linux the descriptor is released even then.
        _ = Glibc.close(rawValue)
    }

    public func setNonBlocking(_ on: Bool) throws {
        let flags = fcntl(rawValue, F_GETFL)
        guard flags >= 0 else { throw SystemError.current("fcntl(F_GETFL)", context: description) }
        let updated = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
        guard fcntl(rawValue, F_SETFL, updated) == 0 else {
            throw SystemError.current("fcntl(F_SETFL)", context: description)
        }
    }

}
