import Testing
@testable import LogshipConfig

private func parse(_ text: String) throws(RoutesFileError) -> [RouteDefinition] {
    try RoutesFile.parse(Array(text.utf8))
}

/// The message a routes file is refused with, from its syntax up to the whitelist.
private func refusal(_ text: String) -> String {
    do {
        _ = try RouteTable(file: "/config/routes.conf", definitions: parse(text))
        return "no error"
    } catch {
        return error.description
    }
}

/// The message `OptionResolver.validate` refuses a well-formed file with (its values).
private func valueRefusal(_ text: String) -> String {
    do {
        let table = try RouteTable(file: "/config/routes.conf", definitions: parse(text))
        _ = try OptionResolver(environment: [:], hostname: "vm").validate(table)
        return "no error"
    } catch {
        return "\(error)"
    }
}

@Suite struct RoutesFileTests {
    @Test func theIssuesExampleWithCommentsBlankLinesAndWhitespace() throws {
        let routes = try parse("""
            # /etc/logship/routes.conf
            [route default]
            syslog-address = tcp+tls://logs.example:6514
            syslog-tls-ca-cert=ca.pem

              [ route   audit ]\t
            \ttcp-address   =   tcp://siem.example:12201
            tcp-format = gelf
            # the end
            """)
        #expect(routes == [
            RouteDefinition(name: "default", line: 2, settings: [.init(option: "syslog-address", value: "tcp+tls://logs.example:6514", line: 3),
                                                                 .init(option: "syslog-tls-ca-cert", value: "ca.pem", line: 4)]),
            RouteDefinition(name: "audit", line: 6, settings: [.init(option: "tcp-address", value: "tcp://siem.example:12201", line: 7),
                                                               .init(option: "tcp-format", value: "gelf", line: 8)]),
        ])
    }

    @Test func valuesAreTakenLiterallyToTheEndOfTheLine() throws {
        let routes = try parse("[route x]\ntag = {{.Name}} # not a comment = still the value\r\nlabels-regex = ^(a|b)=#$  \n")
        #expect(routes[0].settings.map(\.value) == ["{{.Name}} # not a comment = still the value", "^(a|b)=#$"])
    }

    @Test func anEmptyFileHasNoRoutes() throws {
        #expect(try parse("").isEmpty)
        #expect(try parse("# nothing yet\n\n").isEmpty)
        #expect(try RouteTable(file: "/config/routes.conf", definitions: []).routes.isEmpty)
    }

    @Test func syntaxErrorsNameTheLine() {
        #expect(refusal("syslog-address = udp://h\n") == "line 1: \"syslog-address\" is outside any route: start one with `[route NAME]` above it")
        #expect(refusal("[route a]\nsyslog-address udp://h\n") == "line 2: expected `[route NAME]`, `option = value`, a `#` comment or a blank line, not \"syslog-address udp://h\"")
        #expect(refusal("[route a\n") == "line 1: a section header must end with \"]\": \"[route a\"")
        #expect(refusal("\n[default]\n") == "line 2: expected a section header `[route NAME]`, not \"[default]\"")
        #expect(refusal("[route a b]\n") == "line 1: expected a section header `[route NAME]`, not \"[route a b]\"")
        #expect(refusal("[route a/b]\n").hasPrefix("line 1: route name \"a/b\": use 1 to 64 letters"))
        #expect(refusal("[route -a]\n").hasPrefix("line 1: route name \"-a\""))
        #expect(refusal("[route a]\n\n[route a]\n") == "line 3: route \"a\" is defined twice (also on line 1)")
        #expect(refusal("[route a]\ntag = x\ntag = y\n") == "line 3: route \"a\": tag is set twice (also on line 2)")
        #expect(refusal("[route a]\ntag =\n") == "line 2: route \"a\": tag has no value (remove the line to leave it unset)")
        #expect(refusal("[route a]\n= x\n") == "line 2: route \"a\": an option name is missing before \"=\"")
        #expect(throws: RoutesFileError(line: 2, "is not valid UTF-8")) { try RoutesFile.parse(Array("[route a]\ntag = ".utf8) + [0xFF, 0x0A]) }
    }

    @Test func onlyLogshipsOwnPerContainerOptionsAreAccepted() {
        #expect(refusal("[route audit]\n\nsylog-address = udp://h\n").hasPrefix(
            "line 3: route \"audit\": unknown option \"sylog-address\" (did you mean \"syslog-address\"?); valid options: syslog-address, syslog-facility"))
        #expect(refusal("[route audit]\nroute = other\n") == "line 2: route \"audit\": a route cannot choose another route")
        #expect(refusal("[route audit]\nmode = non-blocking\n")
            == "line 2: route \"audit\": mode is acted on by Docker before the plugin sees a line; set it per container (--log-opt) or in daemon.json")
    }

    @Test func badValuesNameTheRouteTheOptionAndTheLine() {
        #expect(valueRefusal("[route ok]\ntag = x\n[route audit]\n# facility\nsyslog-facility = nope\n").hasPrefix(
            "logship: invalid value \"nope\" for syslog-facility (routes.conf line 5, route \"audit\"): expected kern, user"))
        #expect(valueRefusal("[route a]\ntcp-address = tcp://h\n")
            == "logship: invalid value \"tcp://h\" for tcp-address (routes.conf line 2, route \"a\"): the port is missing (tcp://host:port)")
        #expect(valueRefusal("[route a]\nsyslog-address = udp://h\nsyslog-tls-ca-cert = ca.pem\n")
            == "logship: syslog-tls-ca-cert (routes.conf line 3, route \"a\") applies only to a tcp+tls:// or relp+tls:// syslog-address, and syslog-address (routes.conf line 2, route \"a\") is udp://h:514, not TLS")
        #expect(valueRefusal("[route a]\ntag = {{.Nope}}\n").contains("for tag (routes.conf line 2, route \"a\")"))
        // TLS options of a route without an address wait, like host-wide ones, for a container that chooses tcp+tls.
        #expect(valueRefusal("[route a]\nsyslog-tls-ca-cert = ca.pem\n") == "no error")
        #expect(valueRefusal("[route a]\ntag = {{.Name}}\n[route b]\ntcp-address = tcp://h:1\ntcp-format = gelf\n") == "no error")
    }

    @Test func tablesCompareByTheirValuesNotTheirLines() throws {
        let one = try RouteTable(file: "f", definitions: parse("[route a]\ntag = x\n"))
        let moved = try RouteTable(file: "f", definitions: parse("# comment\n\n[route a]\ntag = x\n"))
        let changed = try RouteTable(file: "f", definitions: parse("[route a]\ntag = y\n"))
        #expect(one.hasSameRoutes(as: moved))
        #expect(!one.hasSameRoutes(as: changed))
        #expect(!one.hasSameRoutes(as: .none))
        #expect(RouteTable.none.hasSameRoutes(as: try RouteTable(file: "f", definitions: [])))
    }
}
