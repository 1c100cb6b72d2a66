import Glibc

/// A socket address of any family, stored as `sockaddr_storage`.
public struct SocketAddress: Sendable, CustomStringConvertible, Equatable {
    var storage: sockaddr_storage
    var length: socklen_t

    public var family: Int32 { Int32(storage.ss_family) }

    /// A unix-domain address; `path` must fit `sun_path` (107 bytes).
    public init(unixPath path: String) throws {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else {
            throw SystemError("socket path", errno: ENAMETOOLONG, context: path)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        storage = sockaddr_storage()
        length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
        withUnsafeMutableBytes(of: &storage) { dst in
            withUnsafeBytes(of: address) { src in dst.copyMemory(from: src) }
        }
    }

    init(raw: UnsafePointer<sockaddr>, length: socklen_t) {
        storage = sockaddr_storage()
        self.length = length
        withUnsafeMutableBytes(of: &storage) { dst in
            dst.copyMemory(from: UnsafeRawBufferPointer(start: raw, count: Int(length)))
        }
    }

    public static func == (lhs: SocketAddress, rhs: SocketAddress) -> Bool {
        lhs.length == rhs.length && withUnsafeBytes(of: lhs.storage) { l in
            withUnsafeBytes(of: rhs.storage) { r in
                memcmp(l.baseAddress!, r.baseAddress!, Int(lhs.length)) == 0
            }
        }
    }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) throws -> R) rethrows -> R {
        try withUnsafeBytes(of: storage) { raw in
            try body(raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), length)
        }
    }

    /// The port of an IPv4 or IPv6 address (the one the kernel chose, for a socket
    /// bound to port 0); nil for a unix path.
    public var port: UInt16? {
        guard family == AF_INET || family == AF_INET6 else { return nil }
        // sin_port and sin6_port sit at the same offset, right after the family.
        let offset = MemoryLayout<sockaddr_in>.offset(of: \sockaddr_in.sin_port)!
        return withUnsafeBytes(of: storage) { UInt16(bigEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt16.self)) }
    }

    /// "10.0.0.5:514", "[::1]:514" or the unix path.
    public var description: String {
        withUnsafeBytes(of: storage) { raw -> String in
            switch family {
            case AF_UNIX:
                let pathOffset = MemoryLayout<sa_family_t>.size
                let path = raw[pathOffset..<Int(length)].prefix { $0 != 0 }
                return String(decoding: path, as: UTF8.self)
            case AF_INET:
                let sin = raw.load(as: sockaddr_in.self)
                return "\(Self.text(of: sin.sin_addr, family: AF_INET)):\(UInt16(bigEndian: sin.sin_port))"
            case AF_INET6:
                let sin6 = raw.load(as: sockaddr_in6.self)
                return "[\(Self.text(of: sin6.sin6_addr, family: AF_INET6))]:\(UInt16(bigEndian: sin6.sin6_port))"
            default:
                return "family \(family)"
            }
        }
    }
}

public enum SocketType: Sendable {
    case stream, datagram

    var rawValue: Int32 {
        switch self {
        case .stream: return Int32(SOCK_STREAM.rawValue)
        case .datagram: return Int32(SOCK_DGRAM.rawValue)
        }
    }
}

/// Resolution failed; carries getaddrinfo's own message.
public struct ResolveError: Error, CustomStringConvertible, Sendable {
    public let host: String
    public let message: String
    public var description: String { "resolve \(host): \(message)" }
}

extension SocketAddress {
    /// Resolves `host` with getaddrinfo, at the moment of the call: callers
    /// resolve at every connect so a changed DNS record is followed.
    public static func resolve(host: String, port: UInt16, type: SocketType) throws -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = type.rawValue
        hints.ai_flags = AI_ADDRCONFIG
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0 else {
            throw ResolveError(host: host, message: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(result) }
        var addresses: [SocketAddress] = []
        var cursor = result
        while let info = cursor {
            if let raw = info.pointee.ai_addr {
                let address = SocketAddress(raw: raw, length: info.pointee.ai_addrlen)
                if !addresses.contains(address) { addresses.append(address) }
            }
            cursor = info.pointee.ai_next
        }
        guard !addresses.isEmpty else { throw ResolveError(host: host, message: "no addresses") }
        return addresses
    }

    /// An IPv4 or IPv6 address in its usual text form (`inet_ntop`).
    private static func text<Address>(of address: Address, family: Int32) -> String {
        var address = address
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        inet_ntop(family, &address, &text, socklen_t(text.count))
        return String(nullTerminated: text)
    }
}
