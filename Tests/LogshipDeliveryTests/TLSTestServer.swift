import COpenSSL
import Glibc
import LogshipSystem
import Synchronization

/// A TLS receiver on loopback built on OpenSSL's server side, recording for every
/// connection the bytes it decrypted and how the client ended the session, so tests
/// can tell a clean close (close_notify) from a reset.
final class TLSTestServer: @unchecked Sendable {
    struct Options {
        var certificate: String
        var key: String
        var maxVersion = TLS1_3_VERSION
        /// Require a client certificate signed by this CA.
        var clientCA: String?
        /// Ask for a client certificate without requiring it in the handshake, then close
        /// the connection when none came, as rsyslog's GnuTLS driver does.
        var refuseMissingCertificateAfterHandshake = false
        /// Pause between reads of 16 KiB: a receiver slower than the sender.
        var readPauseNanoseconds: Int64 = 0
        /// End the session (close_notify, then close) after this many bytes.
        var endSessionAfterBytes: Int?
    }

    enum Ending: Equatable {
        case open, closeNotify, eof, reset, endedByServer
        case failed(String)
    }

    struct Session {
        var bytes: [UInt8] = []
        var ending = Ending.open
        var version = ""
        /// The SNI the client sent.
        var serverName: String?
        var clientCertificate = false
    }

    let port: UInt16
    private let listener: Socket
    private let context: OpaquePointer
    private let options: Options
    private let recorded = Mutex<[Session]>([])
    private let stopped = Atomic<Bool>(false)

    init(_ options: Options) throws {
        signal(SIGPIPE, SIG_IGN)
        self.options = options
        context = SSL_CTX_new(TLS_server_method())!
        precondition(SSL_CTX_use_certificate_chain_file(context, options.certificate) == 1
            && SSL_CTX_use_PrivateKey_file(context, options.key, SSL_FILETYPE_PEM) == 1
            && logship_SSL_CTX_set_max_proto_version(context, options.maxVersion) == 1, "test server certificate")
        if let clientCA = options.clientCA {
            precondition(SSL_CTX_load_verify_locations(context, clientCA, nil) == 1)
            let required = options.refuseMissingCertificateAfterHandshake ? 0 : SSL_VERIFY_FAIL_IF_NO_PEER_CERT
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER | required, nil)
        }
        listener = try Socket.listenTCP(host: "127.0.0.1", port: 0)
        port = try listener.localAddress().port!
        try spawnThread(name: "tls-test-accept") { [self] in acceptLoop() }
    }

    deinit { SSL_CTX_free(context) }

    var sessions: [Session] { recorded.withLock { $0 } }

    /// Everything received, over all connections, as text.
    var text: String { String(decoding: sessions.flatMap(\.bytes), as: UTF8.self) }

    func close() {
        stopped.store(true, ordering: .relaxed)
        listener.shutdown()
        listener.close()
    }

    private func acceptLoop() {
        while !stopped.load(ordering: .relaxed) {
            guard let client = try? listener.accept() else { return }
            let index = recorded.withLock { sessions in
                sessions.append(Session())
                return sessions.count - 1
            }
            try? spawnThread(name: "tls-test-conn") { [self] in serve(client, index) }
        }
    }

    private func serve(_ client: Socket, _ index: Int) {
        let ssl = SSL_new(context)!
        defer {
            SSL_free(ssl)
            client.close()
        }
        SSL_set_fd(ssl, client.descriptor.rawValue)
        ERR_clear_error()
        guard SSL_accept(ssl) == 1 else {
            update(index) { $0.ending = .failed(TLSTestServer.errorText()) }
            return
        }
        if options.refuseMissingCertificateAfterHandshake && SSL_get0_peer_certificate(ssl) == nil {
            update(index) { $0.ending = .endedByServer }
            return  // closed without a word, data unread
        }
        update(index) {
            $0.version = String(cString: SSL_get_version(ssl))
            $0.serverName = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name).map { String(cString: $0) }
            $0.clientCertificate = SSL_get0_peer_certificate(ssl) != nil
        }
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        var total = 0
        while true {
            ERR_clear_error()
            var count = 0
            let result = buffer.withUnsafeMutableBytes { SSL_read_ex(ssl, $0.baseAddress, $0.count, &count) }
            if result == 1 {
                total += count
                update(index) { $0.bytes.append(contentsOf: buffer[0..<count]) }
                if let limit = options.endSessionAfterBytes, total >= limit {
                    SSL_shutdown(ssl)
                    update(index) { $0.ending = .endedByServer }
                    return
                }
                // The slow reader the options ask for: the pause is the scenario, not a wait.
                if options.readPauseNanoseconds > 0 { sleep(nanoseconds: options.readPauseNanoseconds) }
                continue
            }
            let savedErrno = errno
            let code = SSL_get_error(ssl, result)
            let ending: Ending
            if code == SSL_ERROR_ZERO_RETURN {
                ending = .closeNotify
                SSL_shutdown(ssl)  // answer with ours, as rsyslog and syslog-ng do
            } else if savedErrno == ECONNRESET {
                ending = .reset
            } else if code == SSL_ERROR_SYSCALL || ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING {
                ending = .eof
            } else {
                ending = .failed(TLSTestServer.errorText())
            }
            update(index) { $0.ending = ending }
            return
        }
    }

    private func update(_ index: Int, _ change: (inout Session) -> Void) {
        recorded.withLock { change(&$0[index]) }
    }

    private static func errorText() -> String {
        var parts: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            parts.append(ERR_reason_error_string(code).map { String(cString: $0) } ?? "\(code)")
        }
        return parts.joined(separator: "; ")
    }
}
