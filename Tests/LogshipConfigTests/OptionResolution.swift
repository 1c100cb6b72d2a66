@testable import LogshipConfig

/// `options` (and host-wide `environment`) resolved for `info`, as StartLogging resolves them.
func resolveOptions(_ options: [String: String], environment: [String: String] = [:],
                    info: ContainerInfo = sampleInfo) throws -> StreamSettings {
    var info = info
    info.config = options
    return try OptionResolver(environment: environment, hostname: "vm").resolve(info)
}

/// The error `options` are refused with, or "no error".
func optionFailure(_ options: [String: String], environment: [String: String] = [:]) -> String {
    do {
        _ = try resolveOptions(options, environment: environment)
        return "no error"
    } catch {
        return "\(error)"
    }
}
