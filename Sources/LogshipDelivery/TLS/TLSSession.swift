import LogshipDestinations
import COpenSSL
import Glibc
import LogshipSystem

/// One TLS client session over a connected TCP socket.
///
/// The sender thread owns it and blocks in it, but the descriptor itself is
/// non-blocking and every wait is a `poll` with a deadline: over a blocking socket
/// OpenSSL can neither check for the server's close_notify without risking a wait
/// in the middle of a record, nor bound a whole handshake or close.
final class TLSSession {
    let socket: Socket
    private let ssl: OpaquePointer
    private let settings: TLSSettings
    private let observer = HandshakeObserver()
    /// After a fatal error OpenSSL must not be asked to send close_notify.
    private var isBroken = false
    private var scratch = [UInt8](repeating: 0, count: 16 * 1024)

    /// Handshakes over `socket` (connected, blocking or not) within `timeoutMilliseconds`.
    /// Throws `TLSError`; the socket stays open for the caller to close.
    init(socket: Socket, context: TLSClientContext, timeoutMilliseconds: Int32) throws {
        self.socket = socket
        settings = context.settings
        OpenSSLErrorQueue.clear()
        guard let ssl = SSL_new(context.pointer) else {
            throw TLSError("cannot create a TLS session: \(OpenSSLErrorQueue.text(or: "out of memory"))")
        }
        self.ssl = ssl
        try socket.descriptor.setNonBlocking(true)
        guard SSL_set_fd(ssl, socket.descriptor.rawValue) == 1 else {
            throw TLSError("cannot attach TLS to the socket: \(OpenSSLErrorQueue.text(or: "unknown error"))")
        }
        try configureServerCheck()
        observer.attach(to: ssl)

        let started = MonotonicClock.now()
        let deadline = started + Int64(timeoutMilliseconds) * 1_000_000
        do {
            try drive("TLS handshake", until: deadline) { SSL_connect(ssl) }
        } catch {
            guard observer.certificateRequested && settings.certificateFile == nil else { throw error }
            throw TLSError("\(error) (the server asked for a client certificate and none is configured)")
        }
        if observer.certificateRequested {
            let roundTrips = 2 * (MonotonicClock.now() - started)
            try awaitVerdictOnCertificate(until: min(deadline, MonotonicClock.now() + max(roundTrips, 500_000_000)))
        }
    }

    deinit { SSL_free(ssl) }

    /// SNI and the name (or IP address) the certificate must match, unless verification is off.
    private func configureServerCheck() throws {
        let name = settings.serverName
        let isIPAddress = TLSSession.isIPAddress(name)
        // RFC 6066: SNI carries host names only, never an IP literal.
        if !isIPAddress && logship_SSL_set_tlsext_host_name(ssl, name) != 1 {
            throw TLSError("cannot use \"\(name)\" as the TLS server name: \(OpenSSLErrorQueue.text(or: "rejected"))")
        }
        guard !settings.skipVerify else {
            SSL_set_verify(ssl, SSL_VERIFY_NONE, nil)
            return
        }
        SSL_set_verify(ssl, SSL_VERIFY_PEER, nil)
        let parameters = SSL_get0_param(ssl)
        X509_VERIFY_PARAM_set_hostflags(parameters, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
        let accepted = isIPAddress ? X509_VERIFY_PARAM_set1_ip_asc(parameters, name) : X509_VERIFY_PARAM_set1_host(parameters, name, 0)
        guard accepted == 1 else {
            throw TLSError("cannot verify the server as \"\(name)\": \(OpenSSLErrorQueue.text(or: "not a valid name"))")
        }
    }

    static func isIPAddress(_ text: String) -> Bool {
        var buffer = in6_addr()
        return inet_pton(AF_INET, text, &buffer) == 1 || inet_pton(AF_INET6, text, &buffer) == 1
    }

    // MARK: - Writing

    /// Writes all of `bytes` unless the connection fails or the server accepts nothing
    /// for `stallMilliseconds`. Returns how many bytes went out in whole records, and
    /// why it stopped short.
    func write(_ bytes: UnsafeRawBufferPointer, stallMilliseconds: Int) -> (written: Int, failure: String?) {
        guard let base = bytes.baseAddress else { return (0, nil) }
        var offset = 0
        var deadline = MonotonicClock.now() + Int64(stallMilliseconds) * 1_000_000
        while offset < bytes.count {
            OpenSSLErrorQueue.clear()
            var written = 0
            let result = SSL_write_ex(ssl, base + offset, bytes.count - offset, &written)
            if result == 1 {
                offset += written
                deadline = MonotonicClock.now() + Int64(stallMilliseconds) * 1_000_000
                continue
            }
            let savedErrno = errno
            let code = SSL_get_error(ssl, result)
            guard code == SSL_ERROR_WANT_WRITE || code == SSL_ERROR_WANT_READ else {
                isBroken = true
                return (offset, explain(code, result: result, errno: savedErrno))
            }
            if !wait(for: code == SSL_ERROR_WANT_READ ? .readable : .writable, until: deadline) {
                isBroken = true
                return (offset, "the server accepted nothing for \(stallMilliseconds / 1000) s")
            }
        }
        return (offset, nil)
    }

    // MARK: - Reading what the server sends

    /// Lets OpenSSL read as much as the socket holds at once rather than a record's
    /// header and then its body: two `read` calls per record otherwise, and a RELP
    /// server sends a record per answer. Whatever it has read ahead is returned by
    /// `readAvailable` (called until it finds nothing), so a poll of the socket still
    /// tells when more has come.
    func readAhead() {
        SSL_set_read_ahead(ssl, 1)
    }

    /// Application data the server sent (a RELP server's answers), without waiting:
    /// what one record held, up to `buffer.count` bytes. Call again until it finds
    /// nothing: OpenSSL may hold more than the socket shows.
    func readAvailable(into buffer: UnsafeMutableRawBufferPointer) -> StreamRead {
        OpenSSLErrorQueue.clear()
        var count = 0
        let result = SSL_read_ex(ssl, buffer.baseAddress, buffer.count, &count)
        if result == 1 { return .bytes(count) }
        let savedErrno = errno
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
            return .nothingYet
        case SSL_ERROR_ZERO_RETURN:
            return .ended("the server ended the TLS session (close_notify)")
        case let code:
            isBroken = true
            return .ended(explain(code, result: result, errno: savedErrno))
        }
    }

    /// Why the server has ended the session (its close_notify, an alert, EOF, a reset),
    /// or nil while it is open. Whatever else it sent (session tickets) is processed
    /// and dropped on the way; a log receiver sends no application data.
    func endedByPeer() -> String? {
        while true {
            OpenSSLErrorQueue.clear()
            var count = 0
            let result = scratch.withUnsafeMutableBytes { SSL_read_ex(ssl, $0.baseAddress, $0.count, &count) }
            if result == 1 { continue }
            let savedErrno = errno
            switch SSL_get_error(ssl, result) {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                return nil
            case SSL_ERROR_ZERO_RETURN:
                return "the server ended the TLS session (close_notify)"
            case let code:
                isBroken = true
                return explain(code, result: result, errno: savedErrno)
            }
        }
    }

    /// A server may refuse the client's certificate (or its absence) after the client's
    /// side of the handshake is over: in TLS 1.3 the server checks it only after the
    /// client has finished, and servers that check it in the application do so once
    /// the handshake is done, in any version (rsyslog's GnuTLS driver; its OpenSSL
    /// driver for `x509/name`), then just close. Data written meanwhile would be lost
    /// with no error. So when the server asked for a certificate, no batch is written
    /// until `deadline` (twice the handshake's duration, at least 500 ms) has passed
    /// without a refusal. A session ticket proves nothing here: OpenSSL servers issue
    /// tickets before the application looks at the certificate.
    private func awaitVerdictOnCertificate(until deadline: Int64) throws {
        while wait(for: .readable, until: deadline) {
            if let ended = endedByPeer() {
                let why = settings.certificateFile.map { "the server did not accept the client certificate \($0)" }
                    ?? "the server asked for a client certificate and none is configured"
                throw TLSError("the server refused the session after the handshake: \(ended) (\(why))")
            }
        }
    }

    // MARK: - Closing

    /// Ends the session so that no receiver sees a reset: our close_notify, then
    /// everything the server sends (session tickets, its close_notify) until it closes
    /// or `graceMilliseconds` pass. A socket closed with unread data in it makes the
    /// kernel answer with a reset instead of a FIN, and a receiver that gets a reset
    /// drops whatever it had not processed yet: Docker's driver, which does not read the
    /// tickets, was measured losing 11-17 % of a 200,000-line stream into rsyslog so.
    func close(graceMilliseconds: Int) {
        defer { socket.close() }
        guard !isBroken else { return }
        let deadline = MonotonicClock.now() + Int64(graceMilliseconds) * 1_000_000
        while true {
            OpenSSLErrorQueue.clear()
            let result = SSL_shutdown(ssl)
            if result >= 0 { break }  // 0: ours sent; 1: theirs had arrived too
            let code = SSL_get_error(ssl, result)
            guard code == SSL_ERROR_WANT_WRITE || code == SSL_ERROR_WANT_READ,
                  wait(for: code == SSL_ERROR_WANT_READ ? .readable : .writable, until: deadline) else { break }
        }
        // What follows our close_notify is only read to be discarded: raw bytes will do.
        while wait(for: .readable, until: deadline) {
            guard let received = try? scratch.withUnsafeMutableBytes({ try socket.receiveNonBlocking(into: $0) }) else { return }
            if received == 0 { return }  // the server's FIN: nothing can be left unread
        }
    }

    // MARK: - Driving OpenSSL on a non-blocking socket

    /// Repeats `call` (an SSL_* function returning 1 on success) until it succeeds,
    /// waiting for the socket whenever OpenSSL needs it, until `deadline`.
    private func drive(_ step: String, until deadline: Int64, _ call: () -> Int32) throws {
        while true {
            OpenSSLErrorQueue.clear()
            let result = call()
            if result == 1 { return }
            let savedErrno = errno
            let code = SSL_get_error(ssl, result)
            switch code {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                if !wait(for: code == SSL_ERROR_WANT_READ ? .readable : .writable, until: deadline) {
                    isBroken = true
                    throw TLSError("\(step): the server did not answer in time")
                }
            default:
                isBroken = true
                throw TLSError("\(step) failed: \(explain(code, result: result, errno: savedErrno))")
            }
        }
    }

    /// Waits until the socket is ready for `events` (or has an error or hang-up for the
    /// next call to report); false when `deadline` passes first.
    private func wait(for events: PollEvents, until deadline: Int64) -> Bool {
        (try? socket.descriptor.wait(for: events, until: deadline)) ?? true
    }

    /// A failed SSL call in words: certificate problems first, with what the
    /// certificate was checked against, then OpenSSL's error queue, then errno.
    private func explain(_ code: Int32, result: Int32, errno savedErrno: Int32) -> String {
        let verification = SSL_get_verify_result(ssl)
        if !settings.skipVerify && verification != X509_V_OK {
            OpenSSLErrorQueue.clear()
            let reason = String(cString: X509_verify_cert_error_string(verification))
            return "the server's certificate is not accepted: \(reason) (checked for \"\(settings.serverName)\" against \(settings.trustDescription))"
        }
        switch code {
        case SSL_ERROR_ZERO_RETURN:
            return "the server ended the TLS session (close_notify)"
        case SSL_ERROR_SYSCALL:
            let queued = OpenSSLErrorQueue.drain()
            if !queued.isEmpty { return queued.joined(separator: "; ") }
            return savedErrno == 0 || result == 0 ? "the server closed the connection" : String(cString: strerror(savedErrno))
        default:
            return OpenSSLErrorQueue.text(or: "TLS error \(code)")
        }
    }
}
