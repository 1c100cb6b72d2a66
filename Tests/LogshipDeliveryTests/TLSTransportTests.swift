import LogshipDestinations
import COpenSSL
import Glibc
import LogshipSystem
import LogshipTestSupport
import Testing
@testable import LogshipDelivery

/// A CA, a server certificate it signed for "localhost" and 127.0.0.1, and a client
/// certificate, in a fresh directory.
private struct PKI {
    let directory = TemporaryDirectory()
    let ca: TestCertificateAuthority
    let server: (certificate: String, key: String)
    let client: (certificate: String, key: String)

    init() {
        ca = TestCertificateAuthority(name: "trusted", directory: directory.path)
        server = ca.issue("server")
        client = ca.issue("client", subjectAlternativeNames: "DNS:client.example", client: true)
    }

    func serve(_ configure: (inout TLSTestServer.Options) -> Void = { _ in }) throws -> TLSTestServer {
        var options = TLSTestServer.Options(certificate: server.certificate, key: server.key)
        configure(&options)
        return try TLSTestServer(options)
    }

    /// The server's address with the settings a `tcp+tls://127.0.0.1:PORT` option
    /// gives, trusting this CA and checking the name "localhost".
    func endpoint(_ server: TLSTestServer, _ configure: (inout TLSSettings) -> Void = { _ in }) -> Endpoint {
        var settings = TLSSettings(serverName: "localhost", caFile: ca.certificatePath)
        configure(&settings)
        return .tls(host: "127.0.0.1", port: server.port, settings: settings)
    }
}

private func connect(_ endpoint: Endpoint) throws -> Transport {
    try TransportFactory.connect(endpoint, settings: ConnectionSettings())
}

/// The error text of a connect that must fail.
private func connectFailure(_ endpoint: Endpoint) -> String {
    do {
        let transport = try connect(endpoint)
        transport.close()
        return "connected"
    } catch {
        return "\(error)"
    }
}

private func lines(_ count: Int, _ prefix: String = "line") -> [String] {
    (0..<count).map { "\(prefix) \($0)\n" }
}

@Suite(.serialized) struct TLSTransportTests {
    @Test(arguments: [TLS1_2_VERSION, TLS1_3_VERSION])
    func deliversEveryMessageInOrder(version: Int32) throws {
        let pki = PKI()
        defer { pki.directory.remove() }
        let server = try pki.serve { $0.maxVersion = version }
        defer { server.close() }
        try withDestinationRegistry { registry in
            let destination = try registry.acquire(pki.endpoint(server))
            let sent = lines(5000)
            for chunk in stride(from: 0, to: sent.count, by: 100) {
                var b = batch(Array(sent[chunk..<(chunk + 100)]))
                #expect(destination.enqueue(&b))
            }
            #expect(waitUntil { server.sessions.first?.bytes.count == sent.joined().utf8.count })
            #expect(server.text == sent.joined())
            #expect(server.sessions.map(\.version) == [version == TLS1_3_VERSION ? "TLSv1.3" : "TLSv1.2"])
            registry.release(destination)
        }
    }

    @Test func anUntrustedServerIsRefusedWithTheReason() throws {
        let pki = PKI()
        defer { pki.directory.remove() }
        let stranger = TestCertificateAuthority(name: "stranger", directory: pki.directory.path)
        let server = try pki.serve()
        defer { server.close() }
        let failure = connectFailure(pki.endpoint(server) { $0.caFile = stranger.certificatePath })
        #expect(failure.contains("the server's certificate is not accepted: unable to get local issuer certificate"), "\(failure)")
        #expect(failure.contains("against the system CA bundle and \(stranger.certificatePath)"), "\(failure)")
        // Skipping verification is what makes it connect, and only that.
        let transport = try connect(pki.endpoint(server) { $0.caFile = stranger.certificatePath; $0.skipVerify = true })
        transport.close()
    }

    @Test func aNameMismatchIsRefusedAndTheServerNameOptionFixesIt() throws {
        let pki = PKI()
        defer { pki.directory.remove() }
        let logs = pki.ca.issue("logs", subjectAlternativeNames: "DNS:logs.example")
        let server = try TLSTestServer(.init(certificate: logs.certificate, key: logs.key))
        defer { server.close() }
        let failure = connectFailure(pki.endpoint(server))
        #expect(failure.contains("hostname mismatch") && failure.contains("checked for \"localhost\""), "\(failure)")
        let transport = try connect(pki.endpoint(server) { $0.serverName = "logs.example" })
        transport.close()
        #expect(waitUntil { server.sessions.last?.serverName == "logs.example" }, "SNI carries the server name")
    }

    @Test func anIPAddressIsCheckedAgainstTheCertificatesAddresses() throws {
        let pki = PKI()
        defer { pki.directory.remove() }
        let server = try pki.serve()
        defer { server.close() }
        let transport = try connect(pki.endpoint(server) { $0.serverName = "127.0.0.1" })
        transport.close()
        #expect(waitUntil { server.sessions.count == 1 && server.sessions[0].version != "" })
        #expect(server.sessions[0].serverName == nil, "no SNI for an IP address (RFC 6066)")
        let failure = connectFailure(pki.endpoint(server) { $0.serverName = "127.0.0.2" })
        #expect(failure.contains("IP address mismatch"), "\(failure)")
    }

    @Test func anExpiredCertificateIsRefused() throws {
        let pki = PKI()
        defer { pki.directory.remove() }
        let expired = pki.ca.issue("expired", validFrom: -86_400 * 10, validTo: -86_400)
        let server = try TLSTestServer(.init(certificate: expired.certificate, key: expired.key))
        defer { server.close() }
        let failure = connectFailure(pki.endpoint(server))
        #expect(failure.contains("certificate has expired"), "\(failure)")
    }

    @Test(arguments: [TLS1_2_VERSION, TLS1_3_VERSION])
    func mutualTLSPresentsTheClientCertificate(version: Int32) throws {
        let pki = PKI()
        defer { pki.directory.remove() }
        let server = try pki.serve { $0.maxVersion = version; $0.clientCA = pki.ca.certificatePath }
        defer { server.close() }
        let transport = try connect(pki.endpoint(server) { $0.certificateFile = pki.client.certificate; $0.keyFile = pki.client.key })
        try batch(["mutual\n"]).send(over: transport)
        #expect(waitUntil { server.sessions.first?.bytes.count == 7 })
        #expect(server.sessions[0].clientCertificate)
        transport.close()
    }

    /// In TLS 1.3 the client's handshake succeeds before the server rejects a missing
    /// client certificate: connecting must still fail, or the first batch would be
    /// written into a session the server has already refused, and lost.
    @Test(arguments: [TLS1_2_VERSION, TLS1_3_VERSION])
    func aMissingClientCertificateFailsTheConnect(version: Int32) throws {
        let pki = PKI()
        defer { pki.directory.remove() }
        let server = try pki.serve { $0.maxVersion = version; $0.clientCA = pki.ca.certificatePath }
        defer { server.close() }
        let failure = connectFailure(pki.endpoint(server))
        #expect(failure.contains("the server asked for a client certificate and none is configured"), "\(failure)")
        #expect(failure.contains("certificate required") || failure.contains("handshake failure"), "\(failure)")
    }

    /// Some servers check the client certificate only after the handshake, in any TLS
    /// version, and just close (rsyslog's GnuTLS driver): the connect must wait for that.
    @Test(arguments: [TLS1_2_VERSION, TLS1_3_VERSION])
    func aServerRefusingAfterTheHandshakeFailsTheConnect(version: Int32) throws {
        let pki = PKI()
        defer { pki.directory.remove() }
        let server = try pki.serve {
            $0.maxVersion = version
            $0.clientCA = pki.ca.certificatePath
            $0.refuseMissingCertificateAfterHandshake = true
        }
        defer { server.close() }
        let failure = connectFailure(pki.endpoint(server))
        #expect(failure.contains("the server refused the session after the handshake: "), "\(failure)")
        #expect(failure.contains("(the server asked for a client certificate and none is configured)"), "\(failure)")
        let transport = try connect(pki.endpoint(server) { $0.certificateFile = pki.client.certificate; $0.keyFile = pki.client.key })
        transport.close()
    }

    /// A fixed CA file on disk is picked up by the next connect attempt: the queued
    /// messages, kept while the server could not be verified, then all arrive.
    @Test func queuedMessagesWaitForAVerifiedServerAndFollowAFixedCAFile() throws {
        let pki = PKI()
        defer { pki.directory.remove() }
        let stranger = TestCertificateAuthority(name: "stranger", directory: pki.directory.path)
        pki.directory.copy(stranger.certificatePath, to: "trust.pem")
        let server = try pki.serve()
        defer { server.close() }
        try withDestinationRegistry { registry in
            let destination = try registry.acquire(pki.endpoint(server) { $0.caFile = "\(pki.directory.path)/trust.pem" })
            var b = batch(lines(50))
            #expect(destination.enqueue(&b))
            // Two refused handshakes: the sender has tried, failed, backed off and tried again.
            #expect(waitUntil { server.sessions.filter { if case .failed = $0.ending { return true } else { return false } }.count >= 2 })
            #expect(server.sessions.allSatisfy { $0.bytes.isEmpty }, "nothing reaches an unverified server")
            pki.directory.copy(pki.ca.certificatePath, to: "trust.pem")
            #expect(waitUntil { server.sessions.reduce(0) { $0 + $1.bytes.count } == lines(50).joined().utf8.count })
            #expect(server.text == lines(50).joined())
            registry.release(destination)
        }
    }

    @Test func sessionTicketsAreNotMistakenForAClose() throws {
        let pki = PKI()
        defer { pki.directory.remove() }
        let server = try pki.serve()  // TLS 1.3: two session tickets follow the handshake
        defer { server.close() }
        let transport = try connect(pki.endpoint(server))
        // The server sends its tickets before its side of the handshake returns.
        #expect(waitUntil { server.sessions.first?.version == "TLSv1.3" })
        #expect(!transport.peerHasClosed())
        try batch(["after tickets\n"]).send(over: transport)
        #expect(waitUntil { server.sessions.first?.bytes.count == 14 })
        #expect(!transport.peerHasClosed())
        transport.close()
    }

    /// A receiver that ends the session (close_notify, then FIN) is noticed before the
    /// next write; otherwise that write would succeed locally and be lost.
    @Test func aServerThatEndedTheSessionIsNoticedBeforeWriting() throws {
        let pki = PKI()
        defer { pki.directory.remove() }
        let server = try pki.serve { $0.endSessionAfterBytes = 6 }
        defer { server.close() }
        try withDestinationRegistry { registry in
            let destination = try registry.acquire(pki.endpoint(server))
            var first = batch(["first\n"])
            #expect(destination.enqueue(&first))
            #expect(waitUntil { server.sessions.first?.ending == .endedByServer })
            var second = batch(["second\n"])
            #expect(destination.enqueue(&second))
            #expect(waitUntil { server.sessions.count == 2 && server.sessions[1].bytes.count == 7 })
            #expect(server.sessions.map { String(decoding: $0.bytes, as: UTF8.self) } == ["first\n", "second\n"])
            registry.release(destination)
        }
    }

    /// close() sends close_notify and reads the server's tickets and close_notify, so
    /// the server sees a clean end and a slow server still reads every byte.
    @Test func closingLetsASlowReceiverReadEverything() throws {
        let pki = PKI()
        defer { pki.directory.remove() }
        let server = try pki.serve { $0.readPauseNanoseconds = 100_000 }  // about 150 MB/s at most
        defer { server.close() }
        let transport = try connect(pki.endpoint(server))
        let payload = MessageBatch.filled(bytes: 16 << 20)
        try payload.send(over: transport)
        transport.close()
        #expect(waitUntil(timeout: 60) { server.sessions.first.map { $0.ending != .open } ?? false })
        #expect(server.sessions[0].ending == .closeNotify)
        #expect(server.sessions[0].bytes.count == payload.bytes.count)
    }

    /// The control for the test above: closing the socket with the tickets unread (what
    /// Docker's driver does) makes the kernel reset the connection.
    @Test func closingWithUnreadTicketsResetsTheConnection() throws {
        let pki = PKI()
        defer { pki.directory.remove() }
        let server = try pki.serve { $0.readPauseNanoseconds = 100_000 }
        defer { server.close() }
        let settings = TLSSettings(serverName: "localhost", caFile: pki.ca.certificatePath)
        let socket = try Socket.make(family: AF_INET, type: .stream)
        try socket.connect(to: try SocketAddress.resolve(host: "127.0.0.1", port: server.port, type: .stream)[0], timeoutMilliseconds: 5000)
        let session = try TLSSession(socket: socket, context: try TLSClientContext(settings), timeoutMilliseconds: 5000)
        let payload = MessageBatch.filled(bytes: 16 << 20)
        let (written, failure) = payload.bytes.withUnsafeBytes { session.write($0, stallMilliseconds: 30_000) }
        #expect(failure == nil && written == payload.bytes.count)
        session.socket.close()
        #expect(waitUntil(timeout: 60) { server.sessions.first.map { $0.ending != .open } ?? false })
        #expect(server.sessions[0].ending == .reset)
    }

    @Test func unusableFilesAreReportedWithTheirRoleAndPath() throws {
        let pki = PKI()
        defer { pki.directory.remove() }
        let other = pki.ca.issue("other", client: true)
        func failure(_ settings: TLSSettings) -> String {
            do {
                try settings.checkFiles()
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        let base = TLSSettings(serverName: "localhost", caFile: pki.ca.certificatePath)
        var missing = base
        missing.caFile = "\(pki.directory.path)/nope.pem"
        #expect(failure(missing) == "CA certificate file \(pki.directory.path)/nope.pem: No such file or directory")
        var notPEM = base
        notPEM.caFile = pki.client.key
        #expect(failure(notPEM).contains("no PEM certificate in it"))
        var mismatched = base
        mismatched.certificateFile = pki.client.certificate
        mismatched.keyFile = other.key
        #expect(failure(mismatched) == "client key file \(other.key): does not belong to the certificate in \(pki.client.certificate) (the public keys differ)")
        var encrypted = base
        encrypted.certificateFile = pki.client.certificate
        encrypted.keyFile = pki.ca.writeEncryptedKey("encrypted")
        #expect(failure(encrypted).contains("the key is encrypted"))
        var fine = base
        fine.certificateFile = pki.client.certificate
        fine.keyFile = pki.client.key
        #expect(failure(fine) == "accepted")
    }
}

extension MessageBatch {
    /// One-line messages of 1 KiB up to `bytes` in total.
    static func filled(bytes: Int) -> MessageBatch {
        var b = MessageBatch(capacity: bytes)
        let line = Array(repeating: UInt8(ascii: "x"), count: 1023) + [UInt8(ascii: "\n")]
        while b.bytes.count + line.count <= bytes {
            b.bytes.append(contentsOf: line)
            b.endMessage()
        }
        return b
    }

    func send(over transport: Transport) throws {
        try transport.send(self)
    }
}
