import COpenSSL
import Glibc

/// Certificates for the TLS tests, made in-process with OpenSSL (no `openssl` binary
/// needed): a CA, and server or client certificates it signs, written as PEM files
/// into a fresh directory.
final class TestCertificateAuthority {
    let directory: String
    let name: String
    private let key: OpaquePointer
    private let certificate: OpaquePointer
    private var serial = 1

    /// The CA's certificate file, for a client's CA option or a server's client CA.
    var certificatePath: String { "\(directory)/\(name)-ca.pem" }

    init(name: String, directory: String) {
        self.name = name
        self.directory = directory
        key = TestCertificateAuthority.makeKey()
        certificate = X509_new()!
        TestCertificateAuthority.fill(certificate, commonName: "\(name) test CA", serial: 1, key: key, validFrom: -3600, validTo: 86_400 * 365)
        X509_set_issuer_name(certificate, X509_get_subject_name(certificate))
        TestCertificateAuthority.addExtensions(to: certificate, issuer: certificate, [
            (NID_basic_constraints, "critical,CA:TRUE"), (NID_key_usage, "critical,keyCertSign,cRLSign"),
        ])
        X509_sign(certificate, key, EVP_sha256())
        TestCertificateAuthority.writePEM(certificatePath) { PEM_write_bio_X509($0, certificate) }
    }

    deinit {
        X509_free(certificate)
        EVP_PKEY_free(key)
    }

    /// A certificate for `subjectAlternativeNames` ("DNS:localhost,IP:127.0.0.1"),
    /// valid between the two offsets from now in seconds; returns (certificate, key) paths.
    func issue(_ fileName: String, subjectAlternativeNames: String = "DNS:localhost,IP:127.0.0.1", client: Bool = false,
               validFrom: Int = -3600, validTo: Int = 86_400 * 30) -> (certificate: String, key: String) {
        serial += 1
        let leafKey = TestCertificateAuthority.makeKey()
        defer { EVP_PKEY_free(leafKey) }
        let leaf = X509_new()!
        defer { X509_free(leaf) }
        TestCertificateAuthority.fill(leaf, commonName: fileName, serial: serial, key: leafKey, validFrom: validFrom, validTo: validTo)
        X509_set_issuer_name(leaf, X509_get_subject_name(certificate))
        TestCertificateAuthority.addExtensions(to: leaf, issuer: certificate, [
            (NID_basic_constraints, "critical,CA:FALSE"), (NID_key_usage, "critical,digitalSignature"),
            (NID_ext_key_usage, client ? "clientAuth" : "serverAuth"), (NID_subject_alt_name, subjectAlternativeNames),
        ])
        X509_sign(leaf, key, EVP_sha256())
        let paths = (certificate: "\(directory)/\(fileName).pem", key: "\(directory)/\(fileName).key")
        TestCertificateAuthority.writePEM(paths.certificate) { PEM_write_bio_X509($0, leaf) }
        TestCertificateAuthority.writePEM(paths.key) { PEM_write_bio_PrivateKey($0, leafKey, nil, nil, 0, nil, nil) }
        return paths
    }

    /// A new private key written encrypted (AES-256, passphrase "secret"); its path.
    func writeEncryptedKey(_ fileName: String) -> String {
        let key = TestCertificateAuthority.makeKey()
        defer { EVP_PKEY_free(key) }
        let path = "\(directory)/\(fileName).key"
        var passphrase = Array("secret".utf8)
        TestCertificateAuthority.writePEM(path) {
            PEM_write_bio_PrivateKey($0, key, EVP_aes_256_cbc(), &passphrase, Int32(passphrase.count), nil, nil)
        }
        return path
    }

    // MARK: - OpenSSL plumbing

    private static func makeKey() -> OpaquePointer {
        let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil)!
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        precondition(EVP_PKEY_keygen_init(context) == 1 && EVP_PKEY_CTX_set_group_name(context, "P-256") == 1
            && EVP_PKEY_generate(context, &key) == 1)
        return key!
    }

    private static func fill(_ certificate: OpaquePointer, commonName: String, serial: Int, key: OpaquePointer, validFrom: Int, validTo: Int) {
        X509_set_version(certificate, 2)
        ASN1_INTEGER_set(X509_get_serialNumber(certificate), serial)
        X509_gmtime_adj(X509_getm_notBefore(certificate), validFrom)
        X509_gmtime_adj(X509_getm_notAfter(certificate), validTo)
        X509_set_pubkey(certificate, key)
        let bytes = Array(commonName.utf8)
        X509_NAME_add_entry_by_txt(X509_get_subject_name(certificate), "CN", MBSTRING_ASC, bytes, Int32(bytes.count), -1, 0)
    }

    private static func addExtensions(to certificate: OpaquePointer, issuer: OpaquePointer, _ extensions: [(Int32, String)]) {
        var context = X509V3_CTX()
        X509V3_set_ctx(&context, issuer, certificate, nil, nil, 0)
        for (nid, value) in extensions {
            let made = X509V3_EXT_conf_nid(nil, &context, nid, value)!
            X509_add_ext(certificate, made, -1)
            X509_EXTENSION_free(made)
        }
    }

    static func writePEM(_ path: String, _ write: (OpaquePointer) -> Int32) {
        let bio = BIO_new_file(path, "w")!
        defer { BIO_free(bio) }
        precondition(write(bio) == 1, "cannot write \(path)")
    }
}

/// A fresh directory under /tmp, removed with its files by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() {
        var template = Array("/tmp/logship-tls-XXXXXX".utf8CString)
        path = String(cString: mkdtemp(&template)!)
    }

    func remove() {
        guard let directory = opendir(path) else { return }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { unlink("\(path)/\(name)") }
        }
        closedir(directory)
        rmdir(path)
    }

    /// Copies `source` to `name` in this directory (replacing it), as an operator fixing a file would.
    func copy(_ source: String, to name: String) {
        let input = fopen(source, "rb")!, output = fopen("\(path)/\(name)", "wb")!
        var buffer = [UInt8](repeating: 0, count: 65536)
        while case let count = fread(&buffer, 1, buffer.count, input), count > 0 { fwrite(buffer, 1, count, output) }
        fclose(input)
        fclose(output)
    }
}
