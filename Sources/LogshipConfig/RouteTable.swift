/// The named routes in force: each a set of logship's own per-container options, which
/// apply to the containers that choose the route wherever they set no option of their own
/// (precedence, strongest first: the container's `--log-opt`, its route, the host-wide
/// settings, the built-in defaults).
///
/// Built from a parsed routes file, checked against the one whitelist here; the values are
/// checked by `OptionResolver.validate(_:)` before a table is used.
public struct RouteTable: Sendable {
    /// The routes by name.
    public let routes: [String: Route]
    /// The file the routes came from; nil when there is none (no file means no routes).
    public let file: String?
    /// Set when no route may be used at all: the routes file was invalid when the plugin
    /// started, so there is nothing good to fall back on, and a container that would have
    /// taken a route must not quietly go elsewhere.
    public let refusal: String?

    /// No routes file.
    public static let none = RouteTable(routes: [:], file: nil, refusal: nil)

    init(routes: [String: Route], file: String?, refusal: String?) {
        self.routes = routes
        self.file = file
        self.refusal = refusal
    }

    /// A table that refuses every container that would take a route, saying `reason`.
    public static func refusing(_ reason: String, file: String) -> RouteTable {
        RouteTable(routes: [:], file: file, refusal: reason)
    }

    /// The routes of a parsed file, every option checked against the whitelist: a route may
    /// set any per-container option except `route` itself and the options Docker acts on
    /// before the plugin sees a line.
    public init(file: String, definitions: [RouteDefinition]) throws(RoutesFileError) {
        var routes: [String: Route] = [:]
        for definition in definitions {
            var settings: [String: Route.Setting] = [:]
            for setting in definition.settings {
                let context = "route \"\(definition.name)\""
                if setting.option == LogOptions.route.name {
                    throw RoutesFileError(line: setting.line, "\(context): a route cannot choose another route")
                }
                if LogOptions.handledByDocker.contains(setting.option) {
                    throw RoutesFileError(line: setting.line, "\(context): \(setting.option) is acted on by Docker before the plugin sees a line; set it per container (--log-opt) or in daemon.json")
                }
                guard LogOptions.named(setting.option) != nil else {
                    var message = "\(context): unknown option \"\(setting.option)\""
                    let names = LogOptions.all.map(\.name).filter { $0 != LogOptions.route.name }
                    if let suggestion = OptionError.closest(to: setting.option, in: names) { message += " (did you mean \"\(suggestion)\"?)" }
                    throw RoutesFileError(line: setting.line, message + "; valid options: \(names.joined(separator: ", "))")
                }
                settings[setting.option] = Route.Setting(value: setting.value, line: setting.line)
            }
            routes[definition.name] = Route(name: definition.name, settings: settings)
        }
        self.init(routes: routes, file: file, refusal: nil)
    }

    /// The route names, sorted.
    public var names: [String] { routes.keys.sorted() }

    /// Whether `other` defines the same routes with the same values (line numbers aside:
    /// a comment added above a route changes nothing).
    public func hasSameRoutes(as other: RouteTable) -> Bool {
        refusal == other.refusal && routes.count == other.routes.count && routes.allSatisfy { name, route in
            other.routes[name]?.values == route.values
        }
    }

    /// The route a container takes: the one its `--log-opt route` names, else its label
    /// `logship.route`, else the host-wide `ROUTE`, else `default` if there is one. A
    /// name that is not defined is an error listing the routes.
    func route(for info: ContainerInfo, hostDefault: String?) throws(OptionError) -> Route? {
        let chosen: (name: String, by: String)
        if let name = info.config[LogOptions.route.name], !name.isEmpty {
            chosen = (name, "log-opt route")
        } else if let name = info.containerLabels[LogOptions.routeLabel], !name.isEmpty {
            chosen = (name, "label \(LogOptions.routeLabel)")
        } else if let name = hostDefault, !name.isEmpty {
            chosen = (name, "plugin setting \(LogOptions.route.environmentName)")
        } else {
            if let refusal { throw OptionError(refusal) }
            return routes["default"]
        }
        if let refusal { throw OptionError(refusal) }
        guard let route = routes[chosen.name] else {
            let defined = routes.isEmpty ? "no routes are defined" : "the routes are \(names.joined(separator: ", "))"
            let source = file.map { "in \($0)" } ?? "(no routes file)"
            throw OptionError("logship: unknown route \"\(chosen.name)\" (\(chosen.by)): \(defined) \(source)")
        }
        return route
    }
}

/// One named route.
public struct Route: Sendable, Equatable {
    public struct Setting: Sendable, Equatable {
        public var value: String
        /// Its line in the routes file; nil for a route recorded with a stream (re-attach).
        public var line: Int?
    }

    public let name: String
    public let settings: [String: Setting]

    /// option name → value.
    public var values: [String: String] { settings.mapValues(\.value) }

    /// The route as recorded with a stream that took it.
    public init(recorded: RecordedRoute) {
        name = recorded.name
        settings = recorded.values.mapValues { Setting(value: $0, line: nil) }
    }

    init(name: String, settings: [String: Setting]) {
        self.name = name
        self.settings = settings
    }
}
