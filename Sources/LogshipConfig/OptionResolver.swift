// The LogshipConfig module: the one whitelist of options and plugin settings, and the
// resolution of a container's options against the host-wide ones into `StreamSettings`.
// Pure: it reads no file and opens nothing.

import LogshipDestinations
import LogshipEvents
import LogshipFormat

/// Turns a container's log-opts plus its route and the host-wide defaults into
/// `StreamSettings`.
///
/// Precedence: a per-container `--log-opt` wins; otherwise the container's route (from
/// the routes file, chosen by `--log-opt route`, the label `logship.route`, the host-wide
/// `ROUTE` or else `default`); otherwise the plugin setting (`docker plugin set logship
/// SYSLOG_ADDRESS=…`, read from the environment at start); otherwise the built-in
/// default. An empty value counts as unset.
public struct OptionResolver: Sendable {
    /// Host-wide defaults by option name, from the plugin's environment.
    public let hostDefaults: [String: String]
    public let hostname: String
    /// Where relative certificate paths point (`CONFIG_DIR`, in the plugin's config mount).
    public let configDirectory: String

    public init(environment: [String: String], hostname: String) {
        var defaults: [String: String] = [:]
        for option in LogOptions.all {
            if let value = environment[option.environmentName], !value.isEmpty { defaults[option.name] = value }
        }
        hostDefaults = defaults
        self.hostname = hostname
        configDirectory = ConfigDirectory.path(environment: environment)
    }

    /// Problems in the host-wide defaults alone (with the routes in force, since the
    /// host-wide `ROUTE` names one), to report when the plugin starts.
    public func validateHostDefaults(routes: RouteTable = .none) -> OptionError? {
        do {
            let info = ContainerInfo(containerID: String(repeating: "0", count: 64))
            // A routes file that could not be loaded is reported on its own.
            let usable = routes.refusal == nil ? routes : .none
            let route = try usable.route(for: info, hostDefault: hostDefaults[LogOptions.route.name])
            _ = try resolve(info, route: route, requireDestination: false)
            return nil
        } catch {
            return error
        }
    }

    /// Resolves a container's options against `routes` and today's host-wide settings
    /// (reading no file: the stream layer checks TLS files). `previous`, when the stream
    /// is re-attached or follows a route change, is what it resolved to before: its
    /// rendered tag and selected attributes are kept while the options that made them are
    /// unchanged (the re-attach record keeps only the environment variables the options
    /// select, so rendering again could give another result).
    public func resolve(_ info: ContainerInfo, routes: RouteTable = .none, previous: ResolvedOptions? = nil) throws(OptionError) -> StreamSettings {
        try Self.refuseUnknownOptions(info.config)
        let route = try routes.route(for: info, hostDefault: hostDefaults[LogOptions.route.name])
        return try resolve(info, route: route, requireDestination: true, previous: previous)
    }

    /// Resolves a re-attached stream exactly as it was before (its log-opts, and the route
    /// and host-wide settings recorded with it), reusing its rendered tag and attributes:
    /// what a stream falls back on when today's settings fail.
    public func resolveAsRecorded(_ info: ContainerInfo, _ recorded: ResolvedOptions) throws(OptionError) -> StreamSettings {
        try Self.refuseUnknownOptions(info.config)
        let recordedResolver = OptionResolver(hostDefaults: recorded.hostDefaults, hostname: hostname, configDirectory: configDirectory)
        return try recordedResolver.resolve(info, route: recorded.route.map(Route.init(recorded:)), requireDestination: true, previous: recorded)
    }

    /// Every route of `table` resolved on its own (no host-wide settings under it, so a
    /// route is judged by what it says), with the settings it gives, so that the caller
    /// can check the files they name. The first problem is the error, naming the route,
    /// the option and its line.
    public func validate(_ table: RouteTable) throws(OptionError) -> [(route: Route, settings: StreamSettings)] {
        let standalone = OptionResolver(hostDefaults: [:], hostname: hostname, configDirectory: configDirectory)
        let info = ContainerInfo(containerID: String(repeating: "0", count: 64))
        var resolved: [(route: Route, settings: StreamSettings)] = []
        for name in table.names {
            let route = table.routes[name]!
            resolved.append((route, try standalone.resolve(info, route: route, requireDestination: false)))
        }
        return resolved
    }

    private init(hostDefaults: [String: String], hostname: String, configDirectory: String) {
        self.hostDefaults = hostDefaults
        self.hostname = hostname
        self.configDirectory = configDirectory
    }

    private static func refuseUnknownOptions(_ config: [String: String]) throws(OptionError) {
        for key in config.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) where LogOptions.named(key) == nil && !LogOptions.handledByDocker.contains(key) {
            throw .unknown(key)
        }
    }

    private func resolve(_ info: ContainerInfo, route: Route?, requireDestination: Bool, previous: ResolvedOptions? = nil) throws(OptionError) -> StreamSettings {
        let values = EffectiveValues(logOpts: info.config, route: route, hostDefaults: hostDefaults)
        let before = previous.map { EffectiveValues(logOpts: info.config, route: $0.route.map(Route.init(recorded:)), hostDefaults: $0.hostDefaults) }
        func unchanged(_ options: [LogOption]) -> Bool {
            guard let before else { return false }
            return options.allSatisfy { before.value($0)?.0 == values.value($0)?.0 }
        }

        let tagTemplate = values.value(LogOptions.tag) ?? (TagTemplate.dockerDefault, .logOpt)
        let tag: String
        if let previous, unchanged([LogOptions.tag]) {
            tag = previous.tag
        } else {
            do {
                tag = try TagTemplate(tagTemplate.0).render(info, hostname: hostname)
            } catch {
                throw .invalid(LogOptions.tag, tagTemplate.0, source: tagTemplate.1, expected: error.message)
            }
        }

        let attributes: [(key: String, value: String)]
        if let previous, unchanged([LogOptions.labels, LogOptions.labelsRegex, LogOptions.env, LogOptions.envRegex]) {
            attributes = previous.attributes
        } else {
            var selector = AttributeSelector()
            selector.labels = values.value(LogOptions.labels)?.0
            selector.env = values.value(LogOptions.env)?.0
            if let (pattern, source) = values.value(LogOptions.labelsRegex) {
                selector.labelsRegex = try AttributeSelector.regex(pattern, LogOptions.labelsRegex, source)
            }
            if let (pattern, source) = values.value(LogOptions.envRegex) {
                selector.envRegex = try AttributeSelector.regex(pattern, LogOptions.envRegex, source)
            }
            attributes = selector.attributes(of: info)
        }

        let context = FormatContext(
            hostname: hostname, tag: tag, containerID: info.containerID, containerName: info.name,
            imageName: info.containerImageName, imageID: info.containerImageID, command: info.command,
            created: info.containerCreated, attributes: attributes)

        var maxLineBytes = StreamSettings.defaultMaxLineBytes
        if let (text, source) = values.value(LogOptions.maxLineSize) {
            guard let size = ByteSize.parse(text), size >= 1024, size <= 256 << 20 else {
                throw .invalid(LogOptions.maxLineSize, text, source: source, expected: "a size from 1k to 256m, such as 64k or 1m")
            }
            maxLineBytes = size
        }

        let events = try EventOptionResolution.resolve(values)
        let multiline = events.multiline == nil ? nil : EventOptionResolution.multilineRule(values)

        // Only the route values and host-wide settings that apply to this container are recorded.
        let notSetByContainer = { (key: String) in info.config[key]?.isEmpty ?? true }
        let usedRoute = route.map { RecordedRoute(name: $0.name, values: $0.values.filter { notSetByContainer($0.key) }) }
        let usedHostDefaults = hostDefaults.filter { notSetByContainer($0.key) && usedRoute?.values[$0.key] == nil }
        var settings = StreamSettings(syslog: try syslog(values, multiline: multiline), tcp: try tcp(values, multiline: multiline),
                                      maxLineBytes: maxLineBytes, events: events, context: context,
                                      resolved: ResolvedOptions(hostDefaults: usedHostDefaults, route: usedRoute, tag: tag, attributes: attributes))
        settings.rateLimit = try values.rateLimit()
        if requireDestination && settings.syslog == nil && settings.tcp == nil {
            throw OptionError("logship: no destination for this container: set --log-opt syslog-address=udp://HOST:514 (or tcp://, tcp+tls://, relp://, relp+tls://, unix://, unixgram://) and/or --log-opt tcp-address=tcp://HOST:PORT, or set one for the whole host with `docker plugin set logship SYSLOG_ADDRESS=tcp://HOST:514`")
        }
        return settings
    }

    /// The addresses of `group`'s address option (`none` turns a host-wide one off) with
    /// the group's TLS options applied; nil when there is none.
    private func addresses(_ group: TLSOptionGroup, _ values: EffectiveValues,
                           parse: (String, LogOption, ValueSource) throws(OptionError) -> Endpoint) throws(OptionError) -> (EndpointList, TLSFileOrigins?, ValueSource)? {
        let address = values.value(group.address).flatMap { $0.0 == "none" ? nil : $0 }
        let parsed = try address.map { (text, source) throws(OptionError) in
            try AddressParser.list(text, group.address, source) { part throws(OptionError) in try parse(part, group.address, source) }
        }
        guard let (list, files) = try group.apply(to: parsed, addressSource: address?.1, values, configDirectory: configDirectory),
              let (_, source) = address else { return nil }
        return (list, files, source)
    }

    /// - Parameter multiline: the multi-line option in effect and where it was set.
    private func syslog(_ values: EffectiveValues, multiline: (LogOption, ValueSource)?) throws(OptionError) -> StreamSettings.Syslog? {
        // Parsed even without an address, so a typo in an unused option still fails loudly.
        let facility = try values.choice(LogOptions.syslogFacility, defaultValue: SyslogFacility.daemon) { SyslogFacility(parsing: $0) }
        let format = try values.choice(LogOptions.syslogFormat, defaultValue: SyslogFormat.rfc5424micro) { SyslogFormat(rawValue: $0) }
        let framing = try values.choice(LogOptions.syslogFraming) { SyslogFraming(rawValue: $0) }
        guard let (addresses, tlsFiles, addressSource) = try addresses(LogOptions.syslogTLS, values, parse: AddressParser.syslog) else {
            try RELPOptionResolution.refuseWithoutAddress(values)
            return nil
        }
        let destination = try RELPOptionResolution.apply(to: addresses, addressSource: addressSource, values)
        let sdID = values.value(LogOptions.syslogSDID)?.0 ?? SyslogFormatter.defaultStructuredDataID
        // RFC 5425 frames syslog over TLS by octet counting, and Docker's driver does so
        // for its RFC 5424 formats (not for rfc3164 or its legacy default).
        // Datagrams and RELP commands delimit messages themselves: syslog-framing does not apply.
        let framed = !destination.isDatagram && !destination.primary.isRELP
        // A joined message holds LFs: only octet counting keeps it one message on a stream.
        let octetCountedByDefault = destination.primary.isTLS && (format == .rfc5424 || format == .rfc5424micro) || multiline != nil
        if let (rule, ruleSource) = multiline, framing == .nonTransparent, framed,
           let (_, framingSource) = values.value(LogOptions.syslogFraming) {
            throw OptionError("logship: \(framingSource.describe(LogOptions.syslogFraming)) is non-transparent, which ends a message at every LF, so it cannot carry the multi-line messages \(ruleSource.describe(rule)) makes: set syslog-framing=octet-counted (the default with a multi-line option) or remove \(rule.name)")
        }
        return StreamSettings.Syslog(destination: destination, format: format, facility: facility,
                                     framing: framed ? framing ?? (octetCountedByDefault ? .octetCounted : .nonTransparent) : nil,
                                     structuredDataID: sdID, tlsFiles: tlsFiles)
    }

    private func tcp(_ values: EffectiveValues, multiline: (LogOption, ValueSource)?) throws(OptionError) -> StreamSettings.TCP? {
        let format = try values.choice(LogOptions.tcpFormat, defaultValue: TCPFormat.json) { TCPFormat(rawValue: $0) }
        guard let (destination, tlsFiles, _) = try addresses(LogOptions.tcpTLS, values, parse: AddressParser.tcp) else { return nil }
        if let (rule, ruleSource) = multiline, format == .raw, let (_, formatSource) = values.value(LogOptions.tcpFormat) {
            throw OptionError("logship: \(formatSource.describe(LogOptions.tcpFormat)) is raw, where the receiver splits messages at every LF, so it cannot carry the multi-line messages \(ruleSource.describe(rule)) makes: use tcp-format=json or gelf (they escape the LFs) or remove \(rule.name)")
        }
        return StreamSettings.TCP(destination: destination, format: format, tlsFiles: tlsFiles)
    }
}

/// Looks up an option's effective value and where it came from.
struct EffectiveValues {
    let logOpts: [String: String]
    let route: Route?
    let hostDefaults: [String: String]

    func value(_ option: LogOption) -> (String, ValueSource)? {
        if let v = logOpts[option.name], !v.isEmpty { return (v, .logOpt) }
        if let route, let setting = route.settings[option.name] { return (setting.value, .route(route.name, line: setting.line)) }
        if let v = hostDefaults[option.name] { return (v, .pluginSetting) }
        return nil
    }

    /// Parses an enumerated option; the error lists the accepted values.
    func choice<T>(_ option: LogOption, defaultValue: T, _ parse: (String) -> T?) throws(OptionError) -> T {
        try choice(option, parse) ?? defaultValue
    }

    /// Go's strconv.ParseBool: `1`, `t`, `true`… and `0`, `f`, `false`…; nil when unset.
    func boolean(_ option: LogOption) throws(OptionError) -> Bool? {
        guard let (text, source) = value(option) else { return nil }
        switch text {
        case "1", "t", "T", "true", "TRUE", "True": return true
        case "0", "f", "F", "false", "FALSE", "False": return false
        default: throw .invalid(option, text, source: source, expected: "expected true or false (or 1 or 0)")
        }
    }

    /// Parses an enumerated option whose default depends on other options; nil when unset.
    func choice<T>(_ option: LogOption, _ parse: (String) -> T?) throws(OptionError) -> T? {
        guard let (text, source) = value(option) else { return nil }
        guard let parsed = parse(text) else {
            throw .invalid(option, text, source: source, expected: "expected \(acceptedValues(option))")
        }
        return parsed
    }

    private func acceptedValues(_ option: LogOption) -> String {
        switch option {
        case LogOptions.syslogFacility: return SyslogFacility.acceptedNames.joined(separator: ", ") + ", or a number from 0 to 23"
        case LogOptions.syslogFormat: return SyslogFormat.allCases.map(\.rawValue).joined(separator: ", ")
        case LogOptions.syslogFraming: return SyslogFraming.allCases.map(\.rawValue).joined(separator: " or ")
        case LogOptions.tcpFormat: return TCPFormat.allCases.map(\.rawValue).joined(separator: ", ")
        case LogOptions.levelFrom: return LevelSource.allCases.map(\.rawValue).joined(separator: ", ")
        default: return option.summary
        }
    }

}
