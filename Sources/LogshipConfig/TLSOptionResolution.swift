import LogshipDestinations

extension TLSOptionGroup {
    /// Applies the group's options to the destination its address option gave (nil:
    /// none is set); with it, where each file came from (`TLSFileOrigins`), so that the
    /// stream layer, which reads the files when a stream starts, can name the option.
    ///
    /// TLS addresses (`tcp+tls`, `relp+tls`) get their settings. For any other address
    /// the options are an error when the container set them, or when the host set them
    /// next to a host-wide address that is not TLS; host-wide TLS options otherwise wait
    /// for the containers that choose a TLS address. No file is read here.
    func apply(to destination: EndpointList?, addressSource: ValueSource?, _ values: EffectiveValues,
               configDirectory: String) throws(OptionError) -> (EndpointList, TLSFileOrigins?)? {
        let skipVerify = try parseSkipVerify(values)
        guard let destination, destination.primary.isTLS else {
            try refuseWithoutTLS(destination, addressSource: addressSource, values)
            return destination.map { ($0, nil) }
        }
        switch (values.value(certificate), values.value(key)) {
        case (nil, let (_, source)?):
            throw OptionError("logship: \(source.describe(key)) is set without \(certificate.name): a client key needs its certificate")
        case (let (_, source)?, nil):
            throw OptionError("logship: \(source.describe(certificate)) is set without \(key.name): a client certificate needs its key")
        default:
            break
        }
        let path = { (option: LogOption) in values.value(option).map { ConfigDirectory.resolve($0.0, in: configDirectory) } }
        var endpoints: [Endpoint] = []
        for endpoint in destination.endpoints {
            guard var settings = endpoint.tlsSettings, let (host, _) = endpoint.hostAndPort else { continue }
            settings.skipVerify = skipVerify ?? false
            settings.serverName = values.value(serverName)?.0 ?? host
            settings.caFile = path(caCertificates)
            settings.certificateFile = path(certificate)
            settings.keyFile = path(key)
            endpoints.append(endpoint.replacingTLSSettings(settings))
        }
        var origins = TLSFileOrigins(address: address.name, configDirectory: configDirectory)
        for (role, option) in [(TLSFileRole.caCertificates, caCertificates), (.certificate, certificate), (.key, key)] {
            if let (given, source) = values.value(option) { origins.add(role, setting: source.describe(option, value: given), given: given) }
        }
        return (EndpointList(endpoints), origins)
    }

    /// Go's strconv.ParseBool: a real boolean. Docker's driver only checks whether the
    /// option is present, so there `syslog-tls-skip-verify=false` turns verification off.
    private func parseSkipVerify(_ values: EffectiveValues) throws(OptionError) -> Bool? {
        try values.boolean(skipVerify)
    }

    private func refuseWithoutTLS(_ destination: EndpointList?, addressSource: ValueSource?, _ values: EffectiveValues) throws(OptionError) {
        for option in all {
            guard let (_, source) = values.value(option) else { continue }
            // A host-wide (or route) TLS default waits for a container that picks a TLS
            // address, unless the host-wide (or the route's) address itself is the one it
            // cannot apply to.
            if source != .logOpt && !(addressSource.map(source.isSameLayer) ?? false) { continue }
            let state = destination.map { "is \($0), not TLS" } ?? "is not set"
            let addressName = addressSource.map { $0.describe(address) } ?? address.name
            throw OptionError("logship: \(source.describe(option)) applies only to a \(schemes.filter { $0 != "`" }) \(address.name), and \(addressName) \(state)")
        }
    }
}
