/// The syntax of `routes.conf`: `[route NAME]` sections of `option = value` lines, `#`
/// comments and blank lines. Written by hand and by configuration management, so it is
/// small and strict: every line is a comment, a section header or a setting inside a
/// section, and anything else is an error naming its line.
///
/// ```
/// # /etc/logship/routes.conf
/// [route default]
/// syslog-address = tcp+tls://logs.example:6514
/// syslog-tls-ca-cert = ca.pem
/// ```
///
/// Whitespace around `=` and at the ends of a line is ignored; a value is otherwise taken
/// literally to the end of its line (a `#` in it is part of it: tag templates and regular
/// expressions can hold one). Which options a route may set is `RouteTable`'s business.
public enum RoutesFile {
    /// The routes of `bytes` as written, in file order.
    public static func parse(_ bytes: [UInt8]) throws(RoutesFileError) -> [RouteDefinition] {
        var routes: [RouteDefinition] = []
        var lineNumber = 0
        for rawLine in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            guard let text = String(validating: rawLine, as: UTF8.self) else {
                throw RoutesFileError(line: lineNumber, "is not valid UTF-8")
            }
            let line = text.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                let name = try sectionName(line, lineNumber)
                if let earlier = routes.first(where: { $0.name == name }) {
                    throw RoutesFileError(line: lineNumber, "route \"\(name)\" is defined twice (also on line \(earlier.line))")
                }
                routes.append(RouteDefinition(name: name, line: lineNumber))
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw RoutesFileError(line: lineNumber, "expected `[route NAME]`, `option = value`, a `#` comment or a blank line, not \"\(line)\"")
            }
            let option = String(line[..<equals]).trimmingWhitespace()
            let value = String(line[line.index(after: equals)...]).trimmingWhitespace()
            guard var route = routes.popLast() else {
                throw RoutesFileError(line: lineNumber, "\"\(option)\" is outside any route: start one with `[route NAME]` above it")
            }
            guard !option.isEmpty else {
                throw RoutesFileError(line: lineNumber, "route \"\(route.name)\": an option name is missing before \"=\"")
            }
            guard !value.isEmpty else {
                throw RoutesFileError(line: lineNumber, "route \"\(route.name)\": \(option) has no value (remove the line to leave it unset)")
            }
            if let earlier = route.settings.first(where: { $0.option == option }) {
                throw RoutesFileError(line: lineNumber, "route \"\(route.name)\": \(option) is set twice (also on line \(earlier.line))")
            }
            route.settings.append(RouteDefinition.Setting(option: option, value: value, line: lineNumber))
            routes.append(route)
        }
        return routes
    }

    /// `[route NAME]` → NAME. Names are what a label or an option can carry unquoted.
    private static func sectionName(_ line: String, _ lineNumber: Int) throws(RoutesFileError) -> String {
        guard line.hasSuffix("]") else { throw RoutesFileError(line: lineNumber, "a section header must end with \"]\": \"\(line)\"") }
        let words = line.dropFirst().dropLast().split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard words.count == 2, words[0] == "route" else {
            throw RoutesFileError(line: lineNumber, "expected a section header `[route NAME]`, not \"\(line)\"")
        }
        let name = String(words[1])
        guard RouteDefinition.isValidName(name) else {
            throw RoutesFileError(line: lineNumber, "route name \"\(name)\": \(RouteDefinition.nameRule)")
        }
        return name
    }
}

/// One `[route NAME]` section as written.
public struct RouteDefinition: Sendable, Equatable {
    public struct Setting: Sendable, Equatable {
        public var option: String
        public var value: String
        public var line: Int
    }

    public var name: String
    /// The line of its `[route NAME]` header.
    public var line: Int
    public var settings: [Setting] = []

    static let nameRule = "use 1 to 64 letters, digits, \".\", \"_\" or \"-\", starting with a letter or digit"

    static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        func allowed(_ b: UInt8) -> Bool {
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2E || b == 0x5F || b == 0x2D
        }
        guard let first = bytes.first, bytes.count <= 64, allowed(first), first != 0x2E, first != 0x5F, first != 0x2D else { return false }
        return bytes.allSatisfy(allowed)
    }
}

/// What is wrong with a routes file, naming the line (and the route and option, where
/// there is one).
public struct RoutesFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let message: String

    init(line: Int, _ message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}

extension String {
    /// Without spaces, tabs and carriage returns at either end (a file written on
    /// Windows ends its lines in CR LF).
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
