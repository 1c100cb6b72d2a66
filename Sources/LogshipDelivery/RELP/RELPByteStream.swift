import Glibc
import LogshipSystem

/// What a read without waiting found.
enum StreamRead: Equatable {
    case bytes(Int)
    /// Nothing has arrived yet.
    case nothingYet
    /// The peer closed the connection, or it failed: why.
    case ended(String)
}

/// The connection a RELP session runs over: plain TCP (`relp://`) or a TLS session
/// (`relp+tls://`). The session writes commands and reads answers on the one sender
/// thread, so writes block (up to a stall limit), reads never do, and the session
/// waits for answers with `waitForBytes`.
protocol RELPByteStream: AnyObject {
    /// Writes all of `bytes` unless the connection fails or the peer accepts nothing for
    /// `stallMilliseconds`; returns why it stopped short, nil when all went out.
    func write(_ bytes: UnsafeRawBufferPointer, stallMilliseconds: Int) -> String?
    /// Whatever has arrived, without waiting, up to `buffer.count` bytes. Less than a
    /// full buffer means nothing more is waiting now (the caller then polls the socket),
    /// so data a TLS library holds above the socket must be returned too.
    func readAvailable(into buffer: UnsafeMutableRawBufferPointer) -> StreamRead
    /// Waits until something can be read (or an error reported), or `deadline` (a
    /// `MonotonicClock` time) passes: false then.
    func waitForBytes(until deadline: Int64) -> Bool
    /// Ends the connection without leaving the peer a reset (TLS: close_notify first).
    func close()
}

/// `relp://`: RELP straight over TCP.
final class PlainRELPStream: RELPByteStream {
    let socket: Socket

    /// `socket` is connected and blocking, with the connection's send timeout set: a
    /// write blocks at most that long without progress.
    init(socket: Socket) {
        self.socket = socket
    }

    func write(_ bytes: UnsafeRawBufferPointer, stallMilliseconds: Int) -> String? {
        do {
            try socket.sendAll(bytes)
            return nil
        } catch {
            return error.error.errno == EAGAIN ? "the receiver accepted nothing for \(stallMilliseconds / 1000) s" : error.description
        }
    }

    func readAvailable(into buffer: UnsafeMutableRawBufferPointer) -> StreamRead {
        do {
            guard let received = try socket.receiveNonBlocking(into: buffer) else { return .nothingYet }
            return received == 0 ? .ended("the receiver closed the connection") : .bytes(received)
        } catch {
            return .ended("\(error)")
        }
    }

    func waitForBytes(until deadline: Int64) -> Bool { socket.waitForAnswers(until: deadline) }

    func close() { socket.close() }
}

extension Socket {
    /// The wait of a RELP client for its answers. Before it sleeps, the kernel is told to
    /// acknowledge what was read at once: with nothing to send back it would delay the ACK
    /// (up to 40 ms), and librelp, which writes its small answers with Nagle's algorithm
    /// on, holds the next answers until that ACK; measured here, the window then crawled
    /// at a few thousand messages a second.
    func waitForAnswers(until deadline: Int64) -> Bool {
        acknowledgePromptly()
        return (try? descriptor.wait(for: .readable, until: deadline)) ?? true
    }
}
