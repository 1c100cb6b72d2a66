import Glibc
import LogshipConfig
import LogshipSystem
import LogshipTestSupport
import Testing
@testable import LogshipStreams

/// A routes file is checked completely before it is used, certificate files included.
@Suite struct RouteTableLoaderTests {
    private func load(_ text: String?, in certs: CertificateFiles) -> String {
        let path = certs.directory + "/routes.conf"
        defer { FileSystem.remove(path) }
        if let text { try! FileSystem.writeAtomically(path, Array(text.utf8)) }
        let loader = RouteTableLoader(resolver: OptionResolver(environment: ["CONFIG_DIR": certs.directory], hostname: "vm"))
        do {
            let table = try loader.load()
            return table.file == nil ? "no file" : "routes: \(table.names)"
        } catch {
            return error.message
        }
    }

    @Test func noFileMeansNoRoutes() {
        #expect(load(nil, in: CertificateFiles()) == "no file")
    }

    @Test func certificateFilesAreReadInTheConfigurationDirectory() {
        let certs = CertificateFiles()
        #expect(load("[route tls]\nsyslog-address = tcp+tls://h:6514\nsyslog-tls-ca-cert = cert.pem\n", in: certs) == "routes: [\"tls\"]")
    }

    @Test func aMissingCertificateFileNamesTheFileTheLineTheRouteAndTheOption() {
        let certs = CertificateFiles()
        let d = certs.directory
        #expect(load("[route tls]\nsyslog-address = tcp+tls://h:6514\n\nsyslog-tls-ca-cert = missing.pem\n", in: certs).hasPrefix(
            "logship: \(d)/routes.conf is not in force: cannot use syslog-tls-ca-cert = missing.pem (routes.conf line 4, route \"tls\"): CA certificate file \(d)/missing.pem: No such file or directory; a relative path is read in the plugin's configuration directory \(d)"))
    }

    @Test func everyProblemIsOneMessageNamingTheFile() {
        let certs = CertificateFiles()
        let d = certs.directory
        #expect(load("[route a]\nsyslog-facility = nope\n", in: certs).hasPrefix(
            "logship: \(d)/routes.conf is not in force: invalid value \"nope\" for syslog-facility (routes.conf line 2, route \"a\")"))
        #expect(load("[route a]\nbogus = 1\n", in: certs).hasPrefix("logship: \(d)/routes.conf is not in force: line 2: route \"a\": unknown option \"bogus\""))
        mkdir(d + "/routes.conf", 0o755)
        defer { rmdir(d + "/routes.conf") }
        let loader = RouteTableLoader(resolver: OptionResolver(environment: ["CONFIG_DIR": d], hostname: "vm"))
        #expect(throws: RoutesLoadError.self) { try loader.load() }
    }
}
