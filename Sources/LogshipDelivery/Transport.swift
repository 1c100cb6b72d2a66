import LogshipDestinations
import Glibc
import LogshipSystem

/// A send that failed: how many whole messages of the batch got out first (over RELP:
/// were acknowledged), and why.
public struct SendFailure: Error, CustomStringConvertible {
    public var sentMessages: Int
    public var reason: String
    /// The receiver is up but refused a message (a RELP answer other than 200): worth
    /// trying again only after a pause, not at once on a new connection.
    public var isRefusal = false
    /// How many messages after `sentMessages` were written without being acknowledged:
    /// sending them again may make them arrive twice (RELP only; the other transports
    /// count a message sent once it is written).
    public var unacknowledgedWrites = 0
    public var description: String { reason }
}

/// An open connection to one endpoint.
protocol Transport: AnyObject {
    var peer: String { get }
    /// The connection's socket, for aborting a blocked write at shutdown.
    var socket: Socket { get }
    /// Sends every message of `batch`. A message known to be lost for good (too large
    /// for a datagram) is skipped and reported by `takeUndeliverable`.
    func send(_ batch: MessageBatch) throws(SendFailure)
    /// True when the peer has closed its side: writing now would be lost silently.
    func peerHasClosed() -> Bool
    /// Messages given up since the last call because no retry could deliver them.
    func takeUndeliverable() -> [String]
    /// Datagrams the receiver's host refused (ICMP port unreachable) since the last call:
    /// each refusal is one datagram sent earlier that nobody received.
    func takeRefusedDatagrams() -> Int
    func close()
}

extension Transport {
    /// Only UDP learns of refusals.
    func takeRefusedDatagrams() -> Int { 0 }
}

/// Opens transports for endpoints. Host names are resolved by the caller at every
/// connect (the sender keeps the result to notice when it changes), or here.
enum TransportFactory {
    /// - Parameter acknowledgements: where a RELP session reports its acknowledgements
    ///   (the destination's counters).
    static func connect(_ endpoint: Endpoint, resolved: [SocketAddress]? = nil, settings: ConnectionSettings,
                        acknowledgements: AcknowledgementCounters = AcknowledgementCounters()) throws -> Transport {
        func addresses(_ host: String, _ port: UInt16, _ type: SocketType) throws -> [SocketAddress] {
            try resolved ?? SocketAddress.resolve(host: host, port: port, type: type)
        }
        switch endpoint {
        case let .tcp(host, port):
            let socket = try withSendTimeout(try connectTCP(try addresses(host, port, .stream), settings: settings), settings)
            return StreamTransport(socket: socket, peer: endpoint.description)
        case let .tls(host, port, tls):
            // The files first: an unusable certificate must not cost the server a connection.
            let context = try TLSClientContext(tls)
            let socket = try connectTCP(try addresses(host, port, .stream), settings: settings)
            return try TLSTransport(over: socket, context: context, connection: settings, peer: endpoint.description)
        case let .relp(host, port, relp):
            let socket: Socket
            let stream: RELPByteStream
            if let tls = relp.tls {
                let context = try TLSClientContext(tls)
                socket = try connectTCP(try addresses(host, port, .stream), settings: settings)
                do {
                    stream = TLSRELPStream(session: try TLSSession(socket: socket, context: context,
                                                                   timeoutMilliseconds: settings.connectTimeoutMilliseconds))
                } catch {
                    socket.close()
                    throw error
                }
            } else {
                socket = try withSendTimeout(try connectTCP(try addresses(host, port, .stream), settings: settings), settings)
                stream = PlainRELPStream(socket: socket)
            }
            return try RELPTransport(socket: socket, stream: stream, settings: relp, connection: settings, counters: acknowledgements,
                                     peer: endpoint.description)
        case let .unixStream(path):
            let socket = try withSendTimeout(try connectFirst([try SocketAddress(unixPath: path)], type: .stream, settings: settings), settings)
            return StreamTransport(socket: socket, peer: endpoint.description)
        case let .udp(host, port):
            let socket = try connectFirst(try addresses(host, port, .datagram), type: .datagram, settings: settings)
            return DatagramTransport(socket: socket, peer: endpoint.description, kind: .udp)
        case let .unixDatagram(path):
            let socket = try withSendTimeout(try connectFirst([try SocketAddress(unixPath: path)], type: .datagram, settings: settings), settings)
            return DatagramTransport(socket: socket, peer: endpoint.description, kind: .unix)
        }
    }

    /// A socket that cannot be given its send timeout is closed, not leaked.
    private static func withSendTimeout(_ socket: Socket, _ settings: ConnectionSettings) throws -> Socket {
        do {
            try socket.setSendTimeout(milliseconds: settings.sendTimeoutMilliseconds)
            return socket
        } catch {
            socket.close()
            throw error
        }
    }

    /// A TCP connection set up for logship: no Nagle delay (batches are formed
    /// upstream), keepalive probes and TCP_USER_TIMEOUT so a dead peer is noticed.
    private static func connectTCP(_ addresses: [SocketAddress], settings: ConnectionSettings) throws -> Socket {
        let socket = try connectFirst(addresses, type: .stream, settings: settings)
        do {
            try socket.setOption(level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
            try socket.setTCPLiveness(idleSeconds: settings.keepAliveIdleSeconds, intervalSeconds: settings.keepAliveIntervalSeconds,
                                      probes: settings.keepAliveProbes, userTimeoutMilliseconds: settings.userTimeoutMilliseconds)
        } catch {
            socket.close()
            throw error
        }
        return socket
    }

    /// Tries each resolved address in turn; the first that accepts wins.
    private static func connectFirst(_ addresses: [SocketAddress], type: SocketType, settings: ConnectionSettings) throws -> Socket {
        var lastError: Error = SystemError("connect", errno: EHOSTUNREACH)
        for address in addresses {
            let socket = try Socket.make(family: address.family, type: type)
            do {
                try socket.connect(to: address, timeoutMilliseconds: settings.connectTimeoutMilliseconds)
                return socket
            } catch {
                socket.close()
                lastError = error
            }
        }
        throw lastError
    }
}

/// TCP or unix stream: the whole batch in as few `send`s as the kernel allows.
final class StreamTransport: Transport {
    let socket: Socket
    let peer: String

    init(socket: Socket, peer: String) {
        self.socket = socket
        self.peer = peer
    }

    func send(_ batch: MessageBatch) throws(SendFailure) {
        let failure: PartialSendError? = batch.bytes.withUnsafeBytes { raw in
            do throws(PartialSendError) {
                try socket.sendAll(raw)
                return nil
            } catch {
                return error
            }
        }
        if let failure {
            // Messages wholly handed to the kernel count as sent; the one cut in half
            // is sent again whole after reconnecting.
            let whole = batch.ends.firstIndex { $0 > failure.sent } ?? batch.count
            throw SendFailure(sentMessages: whole, reason: failure.description)
        }
    }

    func peerHasClosed() -> Bool {
        // Syslog receivers never talk back, so anything readable is EOF or an error:
        // a half-closed peer would accept writes locally and lose them.
        var scratch = (UInt64(0), UInt64(0))
        do {
            let received = try withUnsafeMutableBytes(of: &scratch) { try socket.receiveNonBlocking(into: $0) }
            return received == 0  // 0: orderly close; nil: nothing waiting; more: stray bytes
        } catch {
            return true  // ECONNRESET and the like
        }
    }

    func takeUndeliverable() -> [String] { [] }

    func close() { socket.close() }
}

/// UDP or unix datagram: one message per datagram.
final class DatagramTransport: Transport {
    enum Kind { case udp, unix }

    let socket: Socket
    let peer: String
    let kind: Kind
    private var undeliverable: [String] = []
    private var refused = 0

    init(socket: Socket, peer: String, kind: Kind) {
        self.socket = socket
        self.peer = peer
        self.kind = kind
    }

    func send(_ batch: MessageBatch) throws(SendFailure) {
        let failure: SendFailure? = batch.bytes.withUnsafeBytes { raw in
            var index = 0
            var retried = false
            while index < batch.count {
                let message = UnsafeRawBufferPointer(rebasing: raw[batch.start(of: index)..<batch.ends[index]])
                defer { index += 1 }
                do {
                    try socket.sendDatagram(message)
                    retried = false
                } catch let error as SystemError {
                    // A UDP port nobody listens on answers an earlier datagram with ICMP,
                    // reported by this send as ECONNREFUSED instead of sending it: the
                    // earlier one is lost (counted), this one is tried once more.
                    if kind == .udp && error.errno == ECONNREFUSED {
                        refused += 1
                        if !retried { retried = true; index -= 1 } else { retried = false; refused += 1 }
                        continue
                    }
                    // Larger than the socket allows: resending cannot fix it. The
                    // formatter splits long lines for datagrams, so this is a guard.
                    if error.errno == EMSGSIZE {
                        undeliverable.append("\(message.count)-byte datagram: \(error.message)")
                        continue
                    }
                    return SendFailure(sentMessages: index, reason: error.description)
                } catch {
                    return SendFailure(sentMessages: index, reason: "\(error)")
                }
            }
            return nil
        }
        if let failure { throw failure }
    }

    func peerHasClosed() -> Bool { false }

    func takeUndeliverable() -> [String] {
        defer { undeliverable.removeAll() }
        return undeliverable
    }

    func takeRefusedDatagrams() -> Int {
        defer { refused = 0 }
        return refused
    }

    func close() { socket.close() }
}
