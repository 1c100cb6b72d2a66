import LogshipDestinations
import COpenSSL
import Glibc

/// An OpenSSL client context (`SSL_CTX`) for one destination's settings: protocol
/// versions, cipher suites, trusted CAs and the client certificate.
///
/// Built afresh at every connect attempt rather than kept, so certificate, key and CA
/// files replaced on the host are used at the next attempt with nothing restarted.
/// The system bundle makes that cost about 15 ms, against a reconnect backoff of at
/// least 100 ms.
final class TLSClientContext {
    let pointer: OpaquePointer
    let settings: TLSSettings

    /// TLS 1.2 suites, as Docker's driver offers (go-connections/tlsconfig): forward
    /// secret AEAD only. TLS 1.3, preferred when the server has it, uses OpenSSL's
    /// defaults, which are all of that kind.
    static let tls12Ciphers = [
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")

    /// Throws `TLSFileError` for a file that cannot be used, `TLSError` otherwise.
    init(_ settings: TLSSettings) throws {
        OpenSSLLibrary.initialize()
        OpenSSLErrorQueue.clear()
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw TLSError("cannot create a TLS context: \(OpenSSLErrorQueue.text(or: "out of memory"))")
        }
        pointer = context
        self.settings = settings
        guard logship_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) == 1,
              SSL_CTX_set_cipher_list(context, TLSClientContext.tls12Ciphers) == 1 else {
            throw TLSError("cannot configure TLS: \(OpenSSLErrorQueue.text(or: "unknown error"))")
        }
        // Partial writes: SSL_write reports each record the kernel took, so a failed
        // send knows which messages went out.
        _ = logship_SSL_CTX_set_mode(context, Int(SSL_MODE_ENABLE_PARTIAL_WRITE))
        try loadTrust()
        try loadClientCertificate()
    }

    deinit { SSL_CTX_free(pointer) }

    private func loadTrust() throws {
        if access(TLSSettings.systemTrustBundle, R_OK) == 0 {
            OpenSSLErrorQueue.clear()
            guard SSL_CTX_load_verify_locations(pointer, TLSSettings.systemTrustBundle, nil) == 1 else {
                throw TLSError("cannot load the system CA bundle \(TLSSettings.systemTrustBundle): \(OpenSSLErrorQueue.text(or: "unreadable"))")
            }
        }
        guard let caFile = settings.caFile else { return }
        let store = SSL_CTX_get_cert_store(pointer)
        for certificate in try PEMFile(caFile, role: .caCertificates).certificates() {
            X509_STORE_add_cert(store, certificate)
            X509_free(certificate)
        }
    }

    private func loadClientCertificate() throws {
        guard let certificateFile = settings.certificateFile, let keyFile = settings.keyFile else {
            guard settings.certificateFile == nil && settings.keyFile == nil else {
                throw TLSError("a client certificate and its key go together: both files are needed, or neither")
            }
            return
        }
        let chain = try PEMFile(certificateFile, role: .certificate).certificates()
        defer { for certificate in chain { X509_free(certificate) } }
        let key = try PEMFile(keyFile, role: .key).privateKey()
        defer { EVP_PKEY_free(key) }
        OpenSSLErrorQueue.clear()
        guard X509_check_private_key(chain[0], key) == 1 else {
            OpenSSLErrorQueue.clear()
            throw TLSFileError(role: .key, path: keyFile, problem: "does not belong to the certificate in \(certificateFile) (the public keys differ)")
        }
        guard SSL_CTX_use_certificate(pointer, chain[0]) == 1, SSL_CTX_use_PrivateKey(pointer, key) == 1 else {
            throw TLSFileError(role: .certificate, path: certificateFile, problem: "OpenSSL refused it: \(OpenSSLErrorQueue.text(or: "unknown error"))")
        }
        for intermediate in chain.dropFirst() {
            guard logship_SSL_CTX_add1_chain_cert(pointer, intermediate) == 1 else {
                throw TLSFileError(role: .certificate, path: certificateFile, problem: "OpenSSL refused its chain: \(OpenSSLErrorQueue.text(or: "unknown error"))")
            }
        }
    }
}

extension TLSSettings {
    /// Reads and checks every file these settings name, exactly as a connect would,
    /// so that StartLogging can refuse a container whose TLS files are unusable.
    /// Throws `TLSFileError` for a file, `TLSError` for anything else.
    public func checkFiles() throws {
        _ = try TLSClientContext(self)
    }
}
