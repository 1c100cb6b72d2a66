import LogshipDestinations

/// `syslog-relp-window` applied to a syslog destination's RELP addresses.
enum RELPOptionResolution {
    /// The window goes into every `relp://`/`relp+tls://` endpoint of the list. With any
    /// other address the option is an error when the container set it, or when the host
    /// set it next to a host-wide address that is not RELP (it could never apply); a
    /// host-wide window otherwise waits for the containers that choose a RELP address,
    /// like the host-wide TLS options.
    static func apply(to destination: EndpointList, addressSource: ValueSource?, _ values: EffectiveValues) throws(OptionError) -> EndpointList {
        let option = LogOptions.syslogRELPWindow
        guard let (text, source) = values.value(option) else { return destination }
        guard let window = Int(text), (1...RELPSettings.maximumWindow).contains(window) else {
            throw .invalid(option, text, source: source, expected: "a number of messages from 1 to \(RELPSettings.maximumWindow), such as \(RELPSettings.defaultWindow)")
        }
        guard destination.primary.isRELP else {
            if source == .pluginSetting && addressSource != .pluginSetting { return destination }
            let addressName = addressSource.map { $0.describe(LogOptions.syslogAddress) } ?? LogOptions.syslogAddress.name
            throw OptionError("logship: \(source.describe(option)) applies only to a relp:// or relp+tls:// syslog-address, and \(addressName) is \(destination)")
        }
        return EndpointList(destination.endpoints.map { endpoint in
            guard case .relp(let host, let port, var settings) = endpoint else { return endpoint }
            settings.window = window
            return .relp(host: host, port: port, settings: settings)
        })
    }

    /// The option without any syslog address: an error when the container set it.
    static func refuseWithoutAddress(_ values: EffectiveValues) throws(OptionError) {
        let option = LogOptions.syslogRELPWindow
        guard let (text, source) = values.value(option), source == .logOpt else { return }
        guard let window = Int(text), (1...RELPSettings.maximumWindow).contains(window) else {
            throw .invalid(option, text, source: source, expected: "a number of messages from 1 to \(RELPSettings.maximumWindow), such as \(RELPSettings.defaultWindow)")
        }
        throw OptionError("logship: \(source.describe(option)) applies only to a relp:// or relp+tls:// syslog-address, and syslog-address is not set")
    }
}
