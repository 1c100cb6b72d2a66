import Glibc

/// A failed system call: which call, on what, and the errno it set.
///
/// Every wrapper in this module throws this, so an error in the plugin log always
/// names the syscall and its target ("connect 10.0.0.5:514: Connection refused").
public struct SystemError: Error, CustomStringConvertible, Equatable, Sendable {
    public let call: String
    public let errno: Int32
    public let context: String

    public init(_ call: String, errno: Int32, context: String = "") {
        self.call = call
        self.errno = errno
        self.context = context
    }

    /// Captures the calling thread's current `errno`.
    public static func current(_ call: String, context: String = "") -> SystemError {
        SystemError(call, errno: Glibc.errno, context: context)
    }

    public var message: String { String(cString: strerror(errno)) }

    public var description: String {
        context.isEmpty ? "\(call): \(message)" : "\(call) \(context): \(message)"
    }
}

/// Runs a syscall until it stops failing with EINTR: the one place that retries.
@inline(__always)
func retryingEINTR<T: BinaryInteger>(_ body: () -> T) -> T {
    while true {
        let result = body()
        if result == -1 && Glibc.errno == EINTR { continue }
        return result
    }
}
