import Glibc
import LogshipConfig
import LogshipSystem

/// Reads `routes.conf` from the configuration directory and checks all of it before
/// anything uses it: its syntax, every option against the one whitelist, every value as
/// `--log-opt` values are checked, and every certificate file a route names, as a
/// container's start checks them. A table it returns can be put in force; anything
/// wrong is one message naming the line, the route and the option.
struct RouteTableLoader: Sendable {
    let path: String
    let resolver: OptionResolver
    /// A routes file is a few lines; more than this is not one.
    static let maxBytes = 1 << 20

    /// The file is in the resolver's configuration directory, where the certificate files
    /// its routes name are read too.
    init(resolver: OptionResolver) {
        let directory = resolver.configDirectory
        path = directory.hasSuffix("/") ? directory + ConfigDirectory.routesFileName : directory + "/" + ConfigDirectory.routesFileName
        self.resolver = resolver
    }

    /// The routes the file defines now; `RouteTable.none` when there is no file.
    func load() throws(RoutesLoadError) -> RouteTable {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readRegularFile(path, maxBytes: Self.maxBytes)
        } catch {
            switch error {
            case let .system(failure) where failure.errno == ENOENT: return .none
            case let .system(failure): throw RoutesLoadError(file: path, "cannot read it: \(failure)")
            case .notRegular: throw RoutesLoadError(file: path, "it is not a regular file")
            case let .tooLarge(limit): throw RoutesLoadError(file: path, "it is larger than \(limit / 1024) KiB")
            }
        }
        let table: RouteTable
        do {
            table = try RouteTable(file: path, definitions: RoutesFile.parse(bytes))
        } catch {
            throw RoutesLoadError(file: path, error.description)
        }
        let resolved: [(route: Route, settings: StreamSettings)]
        do {
            resolved = try resolver.validate(table)
        } catch {
            throw RoutesLoadError(file: path, error.message)
        }
        for (_, settings) in resolved {
            do {
                try settings.checkTLSFiles()
            } catch {
                throw RoutesLoadError(file: path, error.message)
            }
        }
        return table
    }
}

/// Why the routes file cannot be put in force.
struct RoutesLoadError: Error, CustomStringConvertible {
    let message: String

    init(file: String, _ problem: String) {
        let detail = problem.hasPrefix("logship: ") ? String(problem.dropFirst("logship: ".count)) : problem
        message = "logship: \(file) is not in force: \(detail)"
    }

    var description: String { message }
}
