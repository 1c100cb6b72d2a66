import LogshipSystem

/// `relp+tls://`: RELP inside a TLS session (librelp starts TLS right after the TCP
/// connect, there is no STARTTLS), with the `tcp+tls` session's guarantees: the
/// server's certificate checked, close_notify at the end and the server's answer read.
final class TLSRELPStream: RELPByteStream {
    private let session: TLSSession
    private var lowWater = Socket.LowWater()

    init(session: TLSSession) {
        self.session = session
        session.readAhead()
    }

    func write(_ bytes: UnsafeRawBufferPointer, stallMilliseconds: Int) -> String? {
        session.write(bytes, stallMilliseconds: stallMilliseconds).failure
    }

    /// OpenSSL returns one record per read: records are read until the buffer is full or
    /// none is left, so that a short result means what it does for a plain socket.
    func readAvailable(into buffer: UnsafeMutableRawBufferPointer) -> StreamRead {
        var filled = 0
        while filled < buffer.count {
            switch session.readAvailable(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...])) {
            case let .bytes(count): filled += count
            case .nothingYet: return filled > 0 ? .bytes(filled) : .nothingYet
            case let .ended(why): return filled > 0 ? .bytes(filled) : .ended(why)
            }
        }
        return .bytes(filled)
    }

    /// Records are read until none is left (`readAvailable`), so a poll of the socket is
    /// all that is left to wait for. Its low-water mark counts encrypted bytes, more than
    /// the answers they carry; only a record OpenSSL has read in part could make the
    /// socket hold fewer than `bytes` when the answers are all there, and then the wait
    /// ends at its deadline (the session's waits for several answers are short).
    func waitForBytes(until deadline: Int64, atLeast bytes: Int) -> Bool {
        session.socket.waitForAnswers(until: deadline, atLeast: bytes, lowWater: &lowWater)
    }

    func close() { session.close(graceMilliseconds: TLSTransport.closeGraceMilliseconds) }
}
