import LogshipDestinations
import LogshipSystem

/// `tcp+tls`: the stream transport's contract (messages in order, a partial send
/// reports the whole messages that went out, a closed peer is noticed before
/// writing) kept over a TLS session.
final class TLSTransport: Transport {
    let peer: String
    private let session: TLSSession
    private let stallMilliseconds: Int

    /// How long a close waits for the server's close_notify and FIN. A receiver
    /// answers within a round trip; this only bounds one that never does.
    static let closeGraceMilliseconds = 1_000

    /// Runs the handshake over `socket` (TCP, connected); closes the socket if it fails.
    init(over socket: Socket, context: TLSClientContext, connection: ConnectionSettings, peer: String) throws {
        do {
            session = try TLSSession(socket: socket, context: context, timeoutMilliseconds: connection.connectTimeoutMilliseconds)
        } catch {
            socket.close()
            throw error
        }
        self.peer = peer
        stallMilliseconds = connection.sendTimeoutMilliseconds
    }

    func send(_ batch: MessageBatch) throws(SendFailure) {
        let (written, failure) = batch.bytes.withUnsafeBytes { session.write($0, stallMilliseconds: stallMilliseconds) }
        if let failure {
            // Messages wholly written in completed records count as sent; the one cut
            // in half is sent again whole after reconnecting.
            let whole = batch.ends.firstIndex { $0 > written } ?? batch.count
            throw SendFailure(sentMessages: whole, reason: failure)
        }
    }

    var socket: Socket { session.socket }

    func peerHasClosed() -> Bool { session.endedByPeer() != nil }

    func takeUndeliverable() -> [String] { [] }

    func close() { session.close(graceMilliseconds: TLSTransport.closeGraceMilliseconds) }
}
