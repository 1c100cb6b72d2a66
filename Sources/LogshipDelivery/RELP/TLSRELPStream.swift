import LogshipSystem

/// `relp+tls://`: RELP inside a TLS session (librelp starts TLS right after the TCP
/// connect, there is no STARTTLS), with the `tcp+tls` session's guarantees: the
/// server's certificate checked, close_notify at the end and the server's answer read.
final class TLSRELPStream: RELPByteStream {
    private let session: TLSSession

    init(session: TLSSession) {
        self.session = session
    }

    var socket: Socket { session.socket }

    func write(_ bytes: UnsafeRawBufferPointer, stallMilliseconds: Int) -> String? {
        session.write(bytes, stallMilliseconds: stallMilliseconds).failure
    }

    func readAvailable(into buffer: UnsafeMutableRawBufferPointer) -> StreamRead {
        session.readAvailable(into: buffer)
    }

    func close() { session.close(graceMilliseconds: TLSTransport.closeGraceMilliseconds) }
}
