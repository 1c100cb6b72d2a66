import LogshipDestinations
import COpenSSL
import LogshipSystem

/// A certificate or key file read whole into memory, so that a missing or unreadable
/// file is reported with its errno before OpenSSL parses anything, and parsed from
/// there.
struct PEMFile {
    let path: String
    let role: TLSFileRole
    private let bytes: [UInt8]

    /// PEM files are small; anything this large is not one.
    static let maximumBytes = 4 << 20

    /// Only a regular file is read. The path comes from a container's --log-opt, and
    /// the plugin holds every container's FIFO open: a path such as /proc/self/fd/N
    /// must neither block StartLogging nor take another container's log lines. The
    /// open is non-blocking, and anything but a regular file is refused before a read.
    init(_ path: String, role: TLSFileRole) throws(TLSFileError) {
        self.path = path
        self.role = role
        do {
            bytes = try FileSystem.readRegularFile(path, maxBytes: PEMFile.maximumBytes)
        } catch {
            switch error {
            case let .system(failure): throw TLSFileError(role: role, path: path, problem: failure.message)
            case .notRegular: throw TLSFileError(role: role, path: path, problem: "not a regular file")
            case .tooLarge: throw TLSFileError(role: role, path: path, problem: "larger than 4 MiB: not a PEM file")
            }
        }
    }

    /// Every certificate in the file (X509 pointers the caller frees), in file order;
    /// other PEM blocks (a key next to its certificate) are skipped.
    func certificates() throws(TLSFileError) -> [OpaquePointer] {
        var certificates: [OpaquePointer] = []
        let failure: String? = withBIO { bio in
            while true {
                OpenSSLErrorQueue.clear()
                guard let certificate = PEM_read_bio_X509(bio, nil, nil, nil) else {
                    let code = ERR_peek_last_error()
                    // Running out of PEM blocks after at least one certificate is the normal end.
                    if !certificates.isEmpty && ERR_GET_REASON(code) == PEM_R_NO_START_LINE {
                        OpenSSLErrorQueue.clear()
                        return nil
                    }
                    if ERR_GET_REASON(code) == PEM_R_NO_START_LINE {
                        OpenSSLErrorQueue.clear()
                        return "no PEM certificate in it (a \"-----BEGIN CERTIFICATE-----\" block)"
                    }
                    return "not a valid PEM certificate: \(OpenSSLErrorQueue.text(or: "unreadable"))"
                }
                certificates.append(certificate)
            }
        }
        if let failure {
            for certificate in certificates { X509_free(certificate) }
            throw TLSFileError(role: role, path: path, problem: failure)
        }
        return certificates
    }

    /// The private key (an EVP_PKEY pointer the caller frees). An encrypted key is
    /// refused: the plugin has no way to ask for its passphrase.
    func privateKey() throws(TLSFileError) -> OpaquePointer {
        var passphraseAsked: Int32 = 0
        var key: OpaquePointer?
        let failure: String? = withBIO { bio in
            OpenSSLErrorQueue.clear()
            key = withUnsafeMutablePointer(to: &passphraseAsked) { flag in
                PEM_read_bio_PrivateKey(bio, nil, refusePassphrase, flag)
            }
            if key != nil { return nil }
            if passphraseAsked != 0 {
                OpenSSLErrorQueue.clear()
                return "the key is encrypted and the plugin cannot ask for a passphrase; store it decrypted (openssl pkey -in KEY -out KEY.plain) with permissions that protect it"
            }
            if ERR_GET_REASON(ERR_peek_last_error()) == PEM_R_NO_START_LINE {
                OpenSSLErrorQueue.clear()
                return "no PEM private key in it (a \"-----BEGIN PRIVATE KEY-----\" block)"
            }
            return "not a valid PEM private key: \(OpenSSLErrorQueue.text(or: "unreadable"))"
        }
        if let failure { throw TLSFileError(role: role, path: path, problem: failure) }
        return key!
    }

    private func withBIO<T>(_ body: (OpaquePointer) -> T) -> T {
        bytes.withUnsafeBytes { raw in
            let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count))!
            defer { BIO_free(bio) }
            return body(bio)
        }
    }
}

/// The passphrase callback OpenSSL calls for an encrypted key: notes that it was
/// asked and supplies nothing, which makes the read fail.
private func refusePassphrase(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int32, _ writing: Int32,
                              _ flag: UnsafeMutableRawPointer?) -> Int32 {
    flag?.assumingMemoryBound(to: Int32.self).pointee = 1
    return -1
}
