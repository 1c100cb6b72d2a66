import Glibc
import LogshipConfig
import LogshipPlugin
import LogshipSystem

// Wiring only: read settings, start the server, wait for a signal, shut down.

/// Reports a start-up problem on stderr (the daemon log) and exits.
func fail(_ message: String, code: Int32) -> Never {
    LogSink().error(message)
    exit(code)
}

var environment = HostInfo.environment()
var arguments = Array(CommandLine.arguments.dropFirst())

if arguments.first == "options" {
    print(OptionDocumentation.render(arguments.dropFirst().first ?? "--markdown"))
    exit(0)
}
while let argument = arguments.first {
    arguments.removeFirst()
    switch argument {
    case "--socket":
        guard let path = arguments.first else { fail("logship: --socket needs a path", code: 2) }
        arguments.removeFirst()
        environment[PluginSettings.socket.name] = path
    case "--help", "-h":
        print("usage: logship [--socket PATH]    serve the Docker log-driver plugin protocol\n       logship options --markdown|--config-env")
        exit(0)
    default:
        fail("logship: unknown argument \(argument) (try --help)", code: 2)
    }
}

let settings: PluginSettings
do {
    settings = try PluginSettings(environment: environment)
} catch {
    fail("\(error)", code: 1)
}
let log = LogSink(minimumLevel: LogSink.Level(name: settings.logLevel) ?? .info)
let resolver = OptionResolver(environment: environment, hostname: HostInfo.hostname())

let terminationSignals = [SIGTERM, SIGINT]
Signals.prepare(blocking: terminationSignals)
let server: PluginServer
do {
    server = try PluginServer(settings: settings, resolver: resolver, log: log)
    try server.start()
} catch {
    fail("cannot start: \(error)", code: 1)
}
if let problem = resolver.validateHostDefaults(routes: server.routes.current.table) {
    // Not fatal: the plugin must still enable; every StartLogging repeats this error.
    log.error("host-wide defaults are invalid, containers will be refused until fixed: \(problem)")
}
log.info("logship listening on \(settings.socketPath) host=\(resolver.hostname) state=\(settings.stateDirectory) config=\(settings.configDirectory) queue_bytes=\(settings.delivery.memoryBytes) spool_bytes=\(settings.delivery.spoolBytes) defaults=\(resolver.hostDefaults.keys.sorted())")
let signal = Signals.wait(for: terminationSignals)
log.info("received signal \(signal); shutting down")
server.shutdown(gracePeriodNanoseconds: 7_000_000_000)
log.info("stopped")
exit(0)
