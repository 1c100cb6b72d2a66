import Glibc
import LogshipConfig
import LogshipTestSupport
import Testing
@testable import LogshipStreams

/// TLS files are read where a stream starts (option resolution reads none): an unusable
/// file fails StartLogging with the option, the path as the plugin opened it, and where
/// relative and absolute paths are read.
@Suite struct TLSFileCheckTests {
    private final class CertificateFixtures {
        let files = CertificateFiles()
        var directory: String { files.directory }

        func failure(_ options: [String: String]) -> String {
            var info = containerInfo(options)
            info.config = options
            do {
                let settings = try OptionResolver(environment: [PluginSettings.configDirectory.name: directory], hostname: "vm").resolve(info)
                try settings.checkTLSFiles()
                return "no error"
            } catch let error as OptionError {
                return error.message
            } catch {
                return "\(error)"
            }
        }
    }

    /// The plugin holds every container's FIFO open, so a TLS path like /proc/self/fd/N
    /// (or any FIFO) must be refused at once, without reading: a read would block
    /// StartLogging or take another container's log lines.
    @Test func aFIFOIsRefusedWithoutReadingIt() throws {
        let certs = CertificateFixtures()
        let fifo = certs.directory + "/stream"
        #expect(mkfifo(fifo, 0o600) == 0)
        let holder = open(fifo, O_RDWR)
        defer { close(holder); unlink(fifo) }
        #expect(write(holder, "unread", 6) == 6)
        let message = certs.failure(["syslog-address": "tcp+tls://h", "syslog-tls-ca-cert": "stream"])
        #expect(message.contains("CA certificate file \(certs.directory)/stream: not a regular file"))
        var left = [UInt8](repeating: 0, count: 16)
        #expect(read(holder, &left, 16) == 6)  // the bytes are still there for their reader
    }

    @Test func unusableFilesNameTheOptionTheFileAndWhereThePluginLooked() {
        let certs = CertificateFixtures()
        let d = certs.directory
        let tls = ["syslog-address": "tcp+tls://h"]
        func failure(_ extra: [String: String]) -> String { certs.failure(tls.merging(extra) { $1 }) }

        #expect(failure(["syslog-tls-ca-cert": "missing.pem"])
            == "logship: cannot use log-opt syslog-tls-ca-cert=\"missing.pem\": CA certificate file \(d)/missing.pem: No such file or directory; a relative path is read in the plugin's configuration directory \(d) (CONFIG_DIR), in the host directory mounted at /config (`docker plugin set logship config.source=DIR`; scripts/install.sh mounts /etc/logship)")
        #expect(failure(["syslog-tls-ca-cert": "/etc/logship/ca.pem"]).hasPrefix(
            "logship: cannot use log-opt syslog-tls-ca-cert=\"/etc/logship/ca.pem\": CA certificate file /etc/logship/ca.pem: No such file or directory; an absolute path is read inside the plugin's own filesystem, not on the host"))
        #expect(failure(["syslog-tls-ca-cert": "subdir"]).contains("CA certificate file \(d)/subdir: not a regular file"))
        #expect(failure(["syslog-tls-ca-cert": "garbage.pem"]).contains("CA certificate file \(d)/garbage.pem: no PEM certificate in it"))
        #expect(failure(["syslog-tls-cert": "garbage.pem", "syslog-tls-key": "key.pem"])
            .contains("log-opt syslog-tls-cert=\"garbage.pem\": client certificate file \(d)/garbage.pem: no PEM certificate"))
        #expect(failure(["syslog-tls-cert": "cert.pem", "syslog-tls-key": "other-key.pem"])
            .contains("log-opt syslog-tls-key=\"other-key.pem\": client key file \(d)/other-key.pem: does not belong to the certificate in \(d)/cert.pem"))
        #expect(failure(["syslog-tls-cert": "cert.pem", "syslog-tls-key": "encrypted-key.pem"])
            .contains("client key file \(d)/encrypted-key.pem: the key is encrypted and the plugin cannot ask for a passphrase"))
        #expect(failure(["syslog-tls-cert": "cert.pem"])
            == "logship: log-opt syslog-tls-cert is set without syslog-tls-key: a client certificate needs its key")
        #expect(failure(["syslog-tls-key": "key.pem"])
            == "logship: log-opt syslog-tls-key is set without syslog-tls-cert: a client key needs its certificate")
        #expect(failure(["syslog-tls-cert": "cert.pem", "syslog-tls-key": "key.pem", "syslog-tls-ca-cert": "cert.pem"]) == "no error")
    }

}
