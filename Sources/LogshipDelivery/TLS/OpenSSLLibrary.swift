import COpenSSL
import Glibc

/// One-time process set-up for OpenSSL.
enum OpenSSLLibrary {
    /// Call before any other OpenSSL use; costs nothing after the first time.
    static func initialize() { _ = initialized }

    private static let initialized: Bool = {
        // No openssl.cnf: the plugin rootfs has none, and a host's file (read when the
        // binary runs outside Docker, as the tests do) must not change what is accepted.
        OPENSSL_init_ssl(UInt64(OPENSSL_INIT_NO_LOAD_CONFIG), nil)
        // OpenSSL writes with write(2), which raises SIGPIPE when the server has gone;
        // every other socket in logship uses MSG_NOSIGNAL, and this makes a TLS write
        // fail with EPIPE the same way. (The plugin's main ignores SIGPIPE too.)
        signal(SIGPIPE, SIG_IGN)
        return true
    }()
}
