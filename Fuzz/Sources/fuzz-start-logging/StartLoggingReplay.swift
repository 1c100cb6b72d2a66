import FuzzSupport
import LogshipConfig
import LogshipJSON

/// What StartLogging does before it touches the FIFO or the network: parse the body,
/// resolve the options (tag template, regexes, addresses, sizes), build the
/// formatters and format a line with them. Refusals are expected; traps are findings.
enum StartLoggingReplay {
    /// No host-wide settings: every option comes from the fuzzed `Config`. Resolution
    /// reads no file; the TLS options' directory does not exist all the same (see
    /// `confined`).
    static let resolver = OptionResolver(
        environment: [PluginSettings.configDirectory.name: "/nonexistent/logship-fuzz-config"], hostname: "h")

    static func run(body: UnsafeRawBufferPointer) {
        // The body as the plugin decodes it: `File` and `Info`, a ContainerInfo.
        guard let json = try? JSONParser.parse(body), json["File"]?.string?.isEmpty == false,
              let object = json["Info"], object.object != nil else { return }
        let info = confined(ContainerInfo(json: object))
        let outcome = Result { () throws(OptionError) in try resolver.resolve(info) }
        // The outcome (the tag, the order of attributes, which error) must follow from
        // the container's facts alone, not from how its dictionaries happen to be laid
        // out, which differs from one process to the next.
        let again = Result { () throws(OptionError) in try resolver.resolve(relaidOut(info)) }
        invariant(again == outcome, "the same container resolved to \(outcome) and, from other dictionaries, \(again)")
        switch outcome {
        case .success(let settings):
            FormattedLines.check(settings)
        case .failure(let error):
            // The refusal goes back to the daemon as {"Err": message}.
            _ = JSONValue.object(["Err": .string(error.description)]).serialized()
        }
    }

    /// Absolute paths in the file options made relative, so that every one resolves
    /// inside the missing certificate directory; the options' checks still run.
    private static func confined(_ info: ContainerInfo) -> ContainerInfo {
        var copy = info
        for (key, value) in info.config where ["-tls-ca-cert", "-tls-cert", "-tls-key"].contains(where: key.hasSuffix) {
            copy.config[key] = String(value.drop { $0 == "/" })
        }
        return copy
    }

    /// The same facts with `Config` and `ContainerLabels` rebuilt in dictionaries of
    /// another capacity, filled in another order: another iteration order.
    private static func relaidOut(_ info: ContainerInfo) -> ContainerInfo {
        func rebuilt(_ map: [String: String]) -> [String: String] {
            var copy = [String: String](minimumCapacity: map.count * 4 + 8)
            for (key, value) in map.reversed() { copy[key] = value }
            return copy
        }
        var copy = info
        copy.config = rebuilt(info.config)
        copy.containerLabels = rebuilt(info.containerLabels)
        return copy
    }
}
