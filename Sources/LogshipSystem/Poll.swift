import Glibc

/// What to wait for on a descriptor.
public struct PollEvents: OptionSet, Sendable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    public static let readable = PollEvents(rawValue: Int16(POLLIN))
    public static let writable = PollEvents(rawValue: Int16(POLLOUT))
}

extension FileDescriptor {
    /// Waits until one of `descriptors` is ready for its events (or hung up, or in
    /// error, so that the next call on it reports why), or until `deadline` passes (a
    /// `MonotonicClock` time; nil waits as long as it takes). Returns one flag per
    /// descriptor, or nil when the deadline came first.
    ///
    /// The plugin's one poll loop: a blocked thread is told to stop by waiting on its
    /// descriptor and a `StopSignal` together, and an interrupted wait goes on with the
    /// time that is left.
    public static func wait(_ descriptors: [(FileDescriptor, PollEvents)], until deadline: Int64?) throws -> [Bool]? {
        var entries = descriptors.map { pollfd(fd: $0.0.rawValue, events: $0.1.rawValue, revents: 0) }
        while true {
            var timeout: Int32 = -1
            if let deadline {
                let remaining = deadline - MonotonicClock.now()
                guard remaining > 0 else { return nil }
                timeout = Int32(clamping: (remaining + 999_999) / 1_000_000)
            }
            let count = poll(&entries, nfds_t(entries.count), timeout)
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemError.current("poll")
            }
            if count > 0 { return entries.map { $0.revents != 0 } }
        }
    }

    /// `wait` for one descriptor: whether it became ready before `deadline`. Allocates
    /// nothing, for callers that wait often (a RELP session waits between answers).
    public func wait(for events: PollEvents, until deadline: Int64?) throws -> Bool {
        var entry = pollfd(fd: rawValue, events: events.rawValue, revents: 0)
        while true {
            var timeout: Int32 = -1
            if let deadline {
                let remaining = deadline - MonotonicClock.now()
                guard remaining > 0 else { return false }
                timeout = Int32(clamping: (remaining + 999_999) / 1_000_000)
            }
            let count = poll(&entry, 1, timeout)
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemError.current("poll")
            }
            if count > 0 { return true }
        }
    }
}
