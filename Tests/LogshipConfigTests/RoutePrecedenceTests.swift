import LogshipDestinations
import LogshipFormat
import Testing
@testable import LogshipConfig

private let routesText = """
    [route default]
    syslog-address = tcp://default.example:514
    syslog-format = rfc3164
    tag = from-default

    [route audit]
    tcp-address = tcp://siem.example:12201
    tcp-format = gelf
    tag = from-audit
    """

private func table(_ text: String = routesText) throws -> RouteTable {
    try RouteTable(file: "/config/logship/routes.conf", definitions: RoutesFile.parse(Array(text.utf8)))
}

private func info(options: [String: String] = [:], labels: [String: String] = [:]) -> ContainerInfo {
    var info = sampleInfo
    info.config = options
    info.containerLabels = labels
    return info
}

private func resolve(_ info: ContainerInfo, environment: [String: String] = [:], routes: RouteTable? = nil) throws -> StreamSettings {
    try OptionResolver(environment: environment, hostname: "vm").resolve(info, routes: routes ?? table())
}

private func failure(_ info: ContainerInfo, environment: [String: String] = [:], routes: RouteTable? = nil) -> String {
    do {
        _ = try resolve(info, environment: environment, routes: routes)
        return "no error"
    } catch {
        return "\(error)"
    }
}

@Suite struct RoutePrecedenceTests {
    @Test func aContainerThatChoosesNoRouteTakesDefault() throws {
        let s = try resolve(info())
        #expect(s.syslog?.destination == EndpointList(.tcp(host: "default.example", port: 514)))
        #expect(s.syslog?.format == .rfc3164)
        #expect(s.tcp == nil)
        #expect(s.context.tag == "from-default")
        #expect(s.resolved.route == RecordedRoute(name: "default", values: ["syslog-address": "tcp://default.example:514",
                                                                             "syslog-format": "rfc3164", "tag": "from-default"]))
    }

    @Test func theLabelChoosesARouteAndLogOptRouteWinsOverIt() throws {
        let labelled = try resolve(info(labels: ["logship.route": "audit"]))
        #expect(labelled.tcp == StreamSettings.TCP(destination: EndpointList(.tcp(host: "siem.example", port: 12201)), format: .gelf))
        #expect(labelled.syslog == nil)
        #expect(labelled.context.tag == "from-audit")
        let optioned = try resolve(info(options: ["route": "default"], labels: ["logship.route": "audit"]))
        #expect(optioned.tcp == nil && optioned.syslog != nil)
    }

    /// Strongest first: the container's own --log-opt, its route, the host-wide settings, the defaults.
    @Test func precedenceIsLogOptThenRouteThenHostWideThenDefault() throws {
        let host = ["SYSLOG_FORMAT": "rfc5424", "SYSLOG_FACILITY": "local3", "TAG": "from-host"]
        let s = try resolve(info(options: ["tag": "own"]), environment: host)
        #expect(s.context.tag == "own")                                   // log-opt over route and host
        #expect(s.syslog?.format == .rfc3164)                             // route over host
        #expect(s.syslog?.facility == SyslogFacility(parsing: "local3"))  // host where the route is silent
        #expect(s.syslog?.framing == .nonTransparent)                     // built-in default
        // Recorded for a re-attach: only what applied, each at its own level.
        #expect(s.resolved.route?.values == ["syslog-address": "tcp://default.example:514", "syslog-format": "rfc3164"])
        #expect(s.resolved.hostDefaults == ["syslog-facility": "local3"])
    }

    @Test func withoutADefaultRouteAContainerThatChoosesNoneUsesTheHostWideSettings() throws {
        let onlyAudit = try table("[route audit]\ntcp-address = tcp://siem.example:12201\n")
        let s = try resolve(info(), environment: ["SYSLOG_ADDRESS": "udp://central"], routes: onlyAudit)
        #expect(s.syslog?.destination == EndpointList(.udp(host: "central", port: 514)))
        #expect(s.resolved.route == nil)
        #expect(try resolve(info(), environment: ["SYSLOG_ADDRESS": "udp://central"], routes: RouteTable.none).resolved.route == nil)
    }

    @Test func theHostWideRouteIsTheRouteOfContainersThatChooseNone() throws {
        #expect(try resolve(info(), environment: ["ROUTE": "audit"]).tcp?.format == .gelf)
        #expect(try resolve(info(labels: ["logship.route": "default"]), environment: ["ROUTE": "audit"]).tcp == nil)
    }

    @Test func anUnknownRouteIsRefusedListingTheRoutes() throws {
        #expect(failure(info(options: ["route": "nosuch"]))
            == "logship: unknown route \"nosuch\" (log-opt route): the routes are audit, default in /config/logship/routes.conf")
        #expect(failure(info(labels: ["logship.route": "nosuch"]))
            == "logship: unknown route \"nosuch\" (label logship.route): the routes are audit, default in /config/logship/routes.conf")
        #expect(failure(info(), environment: ["ROUTE": "nosuch"])
            == "logship: unknown route \"nosuch\" (plugin setting ROUTE): the routes are audit, default in /config/logship/routes.conf")
        #expect(failure(info(options: ["route": "audit"]), routes: RouteTable.none)
            == "logship: unknown route \"audit\" (log-opt route): no routes are defined (no routes file)")
        // An unknown option is reported before an unknown route: it is the likelier typo.
        #expect(failure(info(options: ["route": "nosuch", "sylog-address": "udp://h"])).hasPrefix("logship: unknown log-opt \"sylog-address\""))
    }

    @Test func aRoutesFileThatWasInvalidAtStartRefusesEveryContainerThatWouldTakeARoute() {
        let refusing = RouteTable.refusing("logship: /config/logship/routes.conf is not in force: line 3: oops", file: "/config/logship/routes.conf")
        #expect(failure(info(), environment: ["SYSLOG_ADDRESS": "udp://h"], routes: refusing)
            == "logship: /config/logship/routes.conf is not in force: line 3: oops")
        #expect(failure(info(labels: ["logship.route": "audit"]), routes: refusing).hasSuffix("line 3: oops"))
    }

    @Test func aReattachedStreamFallsBackOnItsRecordedRouteWhenTheRouteIsGone() throws {
        let resolver = OptionResolver(environment: [:], hostname: "vm")
        let labelled = info(labels: ["logship.route": "audit"])
        let before = try resolver.resolve(labelled, routes: table())
        #expect(throws: OptionError.self) { try resolver.resolve(labelled, routes: table("[route other]\ntag = x\n"), previous: before.resolved) }
        let recorded = try resolver.resolveAsRecorded(labelled, before.resolved)
        #expect(recorded.tcp == before.tcp)
        #expect(recorded.context.tag == "from-audit")
        #expect(recorded.resolved == before.resolved)
    }

    @Test func aRouteChangeKeepsTheRenderedTagOnlyWhileTheTagOptionIsUnchanged() throws {
        let resolver = OptionResolver(environment: [:], hostname: "vm")
        let labelled = info(labels: ["logship.route": "audit"])
        var previous = try resolver.resolve(labelled, routes: table()).resolved
        previous.tag = "rendered-before"  // as a re-attach record holds it
        let sameTag = try table("[route audit]\ntcp-address = tcp://new.example:1\ntag = from-audit\n")
        #expect(try resolver.resolve(labelled, routes: sameTag, previous: previous).context.tag == "rendered-before")
        let newTag = try table("[route audit]\ntcp-address = tcp://new.example:1\ntag = {{.Name}}\n")
        #expect(try resolver.resolve(labelled, routes: newTag, previous: previous).context.tag == "testlog")
    }
}
