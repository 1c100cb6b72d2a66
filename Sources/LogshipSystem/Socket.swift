import Glibc
import Synchronization

/// A socket, the one owner of its descriptor, with the few operations logship needs.
///
/// It closes the descriptor exactly once (`close`, or when the last reference goes),
/// and `shutdown` from another thread (aborting a blocked write at plugin shutdown)
/// takes the same lock as `close`: a descriptor number the kernel has given to another
/// file after the close is never touched.
public final class Socket: Sendable, CustomStringConvertible {
    public let descriptor: FileDescriptor
    private let closed = Mutex(false)

    init(descriptor: FileDescriptor) { self.descriptor = descriptor }

    deinit { close() }

    public var description: String { "socket \(descriptor.rawValue)" }

    public static func make(family: Int32, type: SocketType) throws -> Socket {
        let fd = Glibc.socket(family, type.rawValue | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError.current("socket") }
        return Socket(descriptor: FileDescriptor(rawValue: fd))
    }

    public func close() {
        closed.withLock { done in
            guard !done else { return }
            done = true
            descriptor.close()
        }
    }

    /// Ends both directions without closing the descriptor: a thread blocked reading or
    /// writing on it wakes with an end of stream or an error. Nothing after a close.
    public func shutdown() {
        closed.withLock { done in
            if !done { _ = Glibc.shutdown(descriptor.rawValue, Int32(SHUT_RDWR)) }
        }
    }

    // MARK: - Client side

    /// Connects, giving up after `timeoutMilliseconds` (a dead host must not stall a sender forever).
    public func connect(to address: SocketAddress, timeoutMilliseconds: Int32) throws {
        try descriptor.setNonBlocking(true)
        let status = address.withSockaddr { Glibc.connect(descriptor.rawValue, $0, $1) }
        if status != 0 {
            let code = errno
            guard code == EINPROGRESS || code == EINTR else {
                throw SystemError("connect", errno: code, context: address.description)
            }
            guard try descriptor.wait(for: .writable, until: MonotonicClock.now() + Int64(timeoutMilliseconds) * 1_000_000) else {
                throw SystemError("connect", errno: ETIMEDOUT, context: address.description)
            }
            var soError: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(descriptor.rawValue, SOL_SOCKET, SO_ERROR, &soError, &size)
            guard soError == 0 else {
                throw SystemError("connect", errno: soError, context: address.description)
            }
        }
        try descriptor.setNonBlocking(false)
    }

    /// Sends the whole buffer; a short send is continued, an error thrown with
    /// the number of bytes that did go out.
    public func sendAll(_ buffer: UnsafeRawBufferPointer) throws(PartialSendError) {
        var offset = 0
        while offset < buffer.count {
            let n = retryingEINTR {
                Glibc.send(descriptor.rawValue, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n < 0 {
                throw PartialSendError(sent: offset, error: .current("send"))
            }
            offset += n
        }
    }

    /// Sends one datagram.
    public func sendDatagram(_ buffer: UnsafeRawBufferPointer) throws {
        let n = retryingEINTR {
            Glibc.send(descriptor.rawValue, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
        }
        guard n >= 0 else { throw SystemError.current("send") }
    }

    /// Receives whatever is waiting, without blocking; 0 means the peer closed.
    /// Returns nil when nothing is waiting.
    public func receiveNonBlocking(into buffer: UnsafeMutableRawBufferPointer) throws -> Int? {
        let n = retryingEINTR { Glibc.recv(descriptor.rawValue, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT)) }
        if n < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
            throw SystemError.current("recv")
        }
        return n
    }

    public func receive(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = retryingEINTR { Glibc.recv(descriptor.rawValue, buffer.baseAddress, buffer.count, 0) }
        guard n >= 0 else { throw SystemError.current("recv") }
        return n
    }


    // MARK: - Server side

    public func bind(to address: SocketAddress) throws {
        let status = address.withSockaddr { Glibc.bind(descriptor.rawValue, $0, $1) }
        guard status == 0 else { throw SystemError.current("bind", context: address.description) }
    }

    public func listen(backlog: Int32 = 128) throws {
        guard Glibc.listen(descriptor.rawValue, backlog) == 0 else { throw SystemError.current("listen") }
    }

    public func accept() throws -> Socket {
        // Glibc's module map hides accept4; the plugin never forks, so setting
        // close-on-exec right after accept leaves no window that matters.
        let fd = retryingEINTR { Glibc.accept(descriptor.rawValue, nil, nil) }
        guard fd >= 0 else { throw SystemError.current("accept") }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return Socket(descriptor: FileDescriptor(rawValue: fd))
    }

    public func localAddress() throws -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutableBytes(of: &storage) { raw in
            getsockname(descriptor.rawValue, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
        }
        guard status == 0 else { throw SystemError.current("getsockname") }
        return withUnsafeBytes(of: storage) { raw in
            SocketAddress(raw: raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length: length)
        }
    }

    // MARK: - Options

    public func setOption(level: Int32, name: Int32, value: Int32) throws {
        var v = value
        guard setsockopt(descriptor.rawValue, level, name, &v, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw SystemError.current("setsockopt(\(name))")
        }
    }

    public func setReuseAddress() throws { try setOption(level: SOL_SOCKET, name: SO_REUSEADDR, value: 1) }

    /// A receive timeout: a blocked `recv` fails with EAGAIN after it.
    public func setReceiveTimeout(milliseconds: Int) throws { try setTimeout(SO_RCVTIMEO, milliseconds) }

    /// A send timeout: a peer that stops reading cannot block a sender forever.
    public func setSendTimeout(milliseconds: Int) throws { try setTimeout(SO_SNDTIMEO, milliseconds) }

    private func setTimeout(_ option: Int32, _ milliseconds: Int) throws {
        var tv = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        guard setsockopt(descriptor.rawValue, SOL_SOCKET, option, &tv, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
            throw SystemError.current("setsockopt(timeout)")
        }
    }

    /// Asks the kernel to acknowledge what has arrived at once (and what arrives next)
    /// rather than after its delayed-ACK timer (up to 40 ms), which it uses whenever this
    /// side has nothing to send back. A peer that sends small answers with Nagle's
    /// algorithm on holds each next answer until that acknowledgement. Linux leaves this
    /// mode on its own, so callers set it again before each wait; a failure changes only
    /// timing, so it is ignored.
    public func acknowledgePromptly() {
        var on: Int32 = 1
        _ = setsockopt(descriptor.rawValue, Int32(IPPROTO_TCP), TCP_QUICKACK, &on, socklen_t(MemoryLayout<Int32>.size))
    }

    /// TCP keepalive probes and TCP_USER_TIMEOUT, so a dead peer is noticed in
    /// seconds instead of the kernel's default of about 15 minutes.
    public func setTCPLiveness(idleSeconds: Int32, intervalSeconds: Int32, probes: Int32, userTimeoutMilliseconds: Int32) throws {
        try setOption(level: SOL_SOCKET, name: SO_KEEPALIVE, value: 1)
        try setOption(level: Int32(IPPROTO_TCP), name: TCP_KEEPIDLE, value: idleSeconds)
        try setOption(level: Int32(IPPROTO_TCP), name: TCP_KEEPINTVL, value: intervalSeconds)
        try setOption(level: Int32(IPPROTO_TCP), name: TCP_KEEPCNT, value: probes)
        try setOption(level: Int32(IPPROTO_TCP), name: TCP_USER_TIMEOUT, value: userTimeoutMilliseconds)
    }
}

/// A stream send that failed after `sent` bytes had been handed to the kernel.
public struct PartialSendError: Error, CustomStringConvertible {
    public let sent: Int
    public let error: SystemError
    public var description: String { error.description }
}

extension Socket {
    /// A listening unix stream socket at `path`, replacing a stale socket left by an
    /// earlier run; anything else at that path is an error, never deleted.
    public static func listenUnix(path: String, mode: mode_t = 0o660) throws -> Socket {
        let address = try SocketAddress(unixPath: path)
        var info = stat()
        if lstat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFSOCK else {
                throw SystemError("listen", errno: EEXIST, context: "\(path) exists and is not a socket")
            }
            unlink(path)
        }
        let socket = try Socket.make(family: AF_UNIX, type: .stream)
        do {
            try socket.bind(to: address)
            chmod(path, mode)
            try socket.listen()
        } catch {
            socket.close()
            throw error
        }
        return socket
    }
}

extension Socket {
    /// A listening TCP socket on `host:port` (for the metrics endpoint).
    public static func listenTCP(host: String, port: UInt16) throws -> Socket {
        let address = try SocketAddress.resolve(host: host, port: port, type: .stream)[0]
        let socket = try Socket.make(family: address.family, type: .stream)
        do {
            try socket.setReuseAddress()
            try socket.bind(to: address)
            try socket.listen()
        } catch {
            socket.close()
            throw error
        }
        return socket
    }
}
