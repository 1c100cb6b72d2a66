import LogshipDestinations
import LogshipSystem

/// `relp://` and `relp+tls://`: syslog messages as RELP `syslog` commands. Unlike the
/// other transports, a message counts as sent only once the receiver acknowledged it
/// (`rsp 200`): `send` returns when all are, and a failure reports the acknowledged
/// prefix, so only acknowledged messages leave the spool.
final class RELPTransport: Transport {
    let peer: String
    /// The connection's socket, for aborting a blocked session at shutdown.
    let socket: Socket
    private let session: RELPSession

    /// Opens the RELP session over `stream` (connected to `socket`, TLS handshake done);
    /// closes the stream if the server does not accept the session.
    init(socket: Socket, stream: RELPByteStream, settings: RELPSettings, connection: ConnectionSettings, counters: AcknowledgementCounters,
         peer: String) throws {
        self.socket = socket
        // The answer timeout is the send timeout: a receiver that answers nothing for as
        // long as a peer may accept nothing counts as dead, then as now.
        session = RELPSession(stream: stream, window: settings.window, answerTimeoutMilliseconds: connection.sendTimeoutMilliseconds,
                              stallMilliseconds: connection.sendTimeoutMilliseconds, counters: counters)
        do {
            try session.open(until: MonotonicClock.now() + Int64(connection.connectTimeoutMilliseconds) * 1_000_000)
        } catch {
            stream.close()
            throw error
        }
        self.peer = peer
    }

    func send(_ batch: MessageBatch) throws(SendFailure) {
        try session.send(batch)
    }

    func peerHasClosed() -> Bool { session.peerHasClosed() }

    func takeUndeliverable() -> [String] { [] }

    func close() { session.close(graceMilliseconds: TLSTransport.closeGraceMilliseconds) }
}
