import LogshipConfig
import LogshipDelivery
import LogshipDestinations

extension StreamSettings {
    /// Reads every TLS file the settings name, as a connect will, so that `docker run`
    /// fails on an unusable file (naming the option) instead of a sender retrying it
    /// forever. Option resolution reads no file; this is where a stream starts.
    func checkTLSFiles() throws(StartError) {
        let destinations = [(syslog?.destination, syslog?.tlsFiles), (tcp?.destination, tcp?.tlsFiles)]
        for case let (destination?, origins?) in destinations {
            // Every address of a list shares the files: checking the first checks them all.
            guard let tls = destination.primary.tlsSettings else { continue }
            do {
                try tls.checkFiles()
            } catch let error as TLSFileError {
                throw StartError(message: origins.message(for: error.role, path: error.path, problem: error.description))
            } catch {
                throw StartError(message: origins.message(forOther: error))
            }
        }
    }
}
