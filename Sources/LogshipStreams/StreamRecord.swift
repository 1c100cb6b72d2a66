import LogshipConfig
import LogshipJSON

/// What the plugin keeps of an open stream to re-attach it after a restart: the
/// StartLogging request as the daemon shaped it (the container's own options, its labels
/// and so the route it chose; its environment cut to the variables the options select:
/// the rest can hold secrets) and the settings it resolved to (`ResolvedOptions`, with
/// the route's name and the values of it that applied), which it falls back on when
/// today's settings do not resolve. A re-attached stream resolves against the routes in
/// force then, not against the recorded values.
struct StreamRecord {
    var file: String
    var info: ContainerInfo
    /// nil in records written before the resolved settings were kept.
    var resolved: ResolvedOptions?

    init(file: String, info: ContainerInfo, resolved: ResolvedOptions?) {
        self.file = file
        self.info = info
        self.resolved = resolved
    }

    /// The record for a stream that starts with `settings`.
    init(file: String, info: ContainerInfo, settings: StreamSettings) {
        let selected = Set(settings.context.attributes.map(\.key))
        var kept = info
        kept.containerEnv = info.containerEnv.filter { entry in
            selected.contains(String(entry.prefix { $0 != "=" }))
        }
        self.init(file: file, info: kept, resolved: settings.resolved)
    }

    /// nil when the JSON is not a record.
    init?(json: JSONValue) {
        guard let file = json["File"]?.string, !file.isEmpty, let info = json["Info"], info.object != nil else { return nil }
        self.file = file
        self.info = ContainerInfo(json: info)
        resolved = json["Resolved"].flatMap(Self.resolved(from:))
    }

    /// The StartLogging request's shape (`File`, `Info`), plus `Resolved`.
    var json: JSONValue {
        var members: [String: JSONValue] = ["File": .string(file), "Info": info.json]
        if let resolved {
            var fields: [String: JSONValue] = [
                "HostDefaults": .object(resolved.hostDefaults.mapValues { .string($0) }),
                "Tag": .string(resolved.tag),
                "Attributes": .array(resolved.attributes.map { .array([.string($0.key), .string($0.value)]) }),
            ]
            if let route = resolved.route {
                fields["Route"] = .object(["Name": .string(route.name), "Values": .object(route.values.mapValues { .string($0) })])
            }
            members["Resolved"] = .object(fields)
        }
        return .object(members)
    }

    private static func resolved(from json: JSONValue) -> ResolvedOptions? {
        guard let tag = json["Tag"]?.string, let defaults = json["HostDefaults"]?.object,
              let attributes = json["Attributes"]?.array, let hostDefaults = strings(defaults) else { return nil }
        // Records written before routes existed have no "Route".
        var route: RecordedRoute?
        if let recorded = json["Route"] {
            guard let name = recorded["Name"]?.string, let fields = recorded["Values"]?.object, let values = strings(fields) else { return nil }
            route = RecordedRoute(name: name, values: values)
        }
        var pairs: [(key: String, value: String)] = []
        for item in attributes {
            guard let pair = item.array, pair.count == 2, let key = pair[0].string, let value = pair[1].string else { return nil }
            pairs.append((key, value))
        }
        return ResolvedOptions(hostDefaults: hostDefaults, route: route, tag: tag, attributes: pairs)
    }

    private static func strings(_ object: [String: JSONValue]) -> [String: String]? {
        var result: [String: String] = [:]
        for (key, value) in object {
            guard let text = value.string else { return nil }
            result[key] = text
        }
        return result
    }
}
