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
    /// Waits until at least `bytes` can be read (or the connection ended or failed), or
    /// `deadline` (a `MonotonicClock` time) passes: false then. `bytes` is a lower bound
    /// the caller knows the answers it waits for take: waking for less would only cost
    /// a wake-up. A stream may wake earlier (TLS counts bytes on the wire, not what they
    /// decrypt to); the caller then reads what there is and waits again.
    func waitForBytes(until deadline: Int64, atLeast bytes: Int) -> Bool
    /// Ends the connection without leaving the peer a reset (TLS: close_notify first).
    func close()
}

/// `relp://`: RELP straight over TCP.
final class PlainRELPStream: RELPByteStream {
    let socket: Socket
    private var lowWater = Socket.LowWater()

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

    func waitForBytes(until deadline: Int64, atLeast bytes: Int) -> Bool {
        socket.waitForAnswers(until: deadline, atLeast: bytes, lowWater: &lowWater)
    }

    func close() { socket.close() }
}

extension Socket {
    /// The receive low-water mark last set on a socket (SO_RCVLOWAT): set again only
    /// when it changes, which a session's steady waits seldom make it do.
    struct LowWater {
        fileprivate var bytes: Int32 = 1
    }

    /// The wait of a RELP client for its answers: until `bytes` have arrived (the
    /// kernel's receive low-water mark, so that a window's answers wake the sender once
    /// instead of once per TCP segment), or `deadline`.
    ///
    /// Before it sleeps, the kernel is told to acknowledge what was read at once: with
    /// nothing to send back it would delay the ACK (up to 40 ms), and librelp, which
    /// writes its small answers with Nagle's algorithm on, holds the next answers until
    /// that ACK; measured here, the window then crawled at a few thousand messages a
    /// second. For the same reason a wait for more than one answer must not be long
    /// (the session waits at most `RELPSession.answerBatchNanoseconds` at a time): answers
    /// that did not reach the mark are neither read nor acknowledged, and the receiver
    /// holds what it answers next until they are.
    func waitForAnswers(until deadline: Int64, atLeast bytes: Int, lowWater: inout LowWater) -> Bool {
        let wanted = Int32(clamping: max(1, bytes))
        if wanted != lowWater.bytes {
            var value = wanted
            // A failure leaves the old mark: it changes only how often the wait wakes.
            if setsockopt(descriptor.rawValue, SOL_SOCKET, SO_RCVLOWAT, &value, socklen_t(MemoryLayout<Int32>.size)) == 0 {
                lowWater.bytes = wanted
            }
        }
        acknowledgePromptly()
        return (try? descriptor.wait(for: .readable, until: deadline)) ?? true
    }
}
