import Glibc

extension FileDescriptor {
    /// Waits until at least one of `descriptors` is readable (or hung up, or in error,
    /// so that the following read reports it), up to `timeoutMilliseconds` (-1: forever).
    ///
    /// Returns one flag per descriptor, all false on timeout. Waiting on a connection and
    /// a wake-up pipe together is how a blocked thread is told to stop.
    public static func waitReadable(_ descriptors: [FileDescriptor], timeoutMilliseconds: Int32) throws -> [Bool] {
        var entries = descriptors.map { pollfd(fd: $0.rawValue, events: Int16(POLLIN), revents: 0) }
        let count = retryingEINTR { poll(&entries, nfds_t(entries.count), timeoutMilliseconds) }
        guard count >= 0 else { throw SystemError.current("poll") }
        return entries.map { $0.revents != 0 }
    }
}
