// swift-tools-version:6.0
import PackageDescription

// No package dependencies: only the toolchain, plus the system OpenSSL for TLS.
// Each module has one job, and the dependency arrows below are the architecture:
//
//   LogshipSystem        thin typed wrappers over syscalls (fds, sockets, poll, threads, locks)
//   LogshipWire          the FIFO wire format: frames, the LogEntry decoder, reassembly
//   LogshipJSON          a small JSON reader and writer (requests, json/gelf output)
//   LogshipEvents        lines to messages: multi-line joining (patterns, timestamp formats,
//                        stack-trace presets), severity from the line, JSON lines as fields
//   LogshipFormat        syslog / json / gelf / raw formatting into reusable byte buffers
//   LogshipDestinations  what a destination is: addresses, TLS and delivery settings (values, no I/O)
//   LogshipConfig        the one option whitelist, resolution of a container's options (no I/O)
//   COpenSSL             the system OpenSSL (libssl-dev), for tcp+tls: LogshipDelivery only
//   LogshipDelivery      per-destination queues, spools, senders and transports
//   LogshipHTTP          an HTTP/1.1 server on a listening socket
//   LogshipStreams       a container's stream: FIFO reader -> decode -> reassemble -> format ->
//                        queue, and the registry of streams (start, re-attach, stop)
//   LogshipPlugin        the Docker plugin protocol and the metrics endpoint, wired together
//   logship              the executable: settings, signals, start and stop
//   logship-bench        the pipeline benchmark (swift run -c release logship-bench)
//
//   System <- Delivery <- Streams <- Plugin <- logship
//   Wire <- Events <- Format <- Config <- Streams
//   JSON <- Events, Format, Config, HTTP;  Destinations <- Config, Delivery;  HTTP <- Plugin
let package = Package(
    name: "logship",
    products: [
        .executable(name: "logship", targets: ["logship"]),
        // The layers as libraries, for the fuzz targets in Fuzz/ (a package of its own,
        // so that sanitizer builds never touch this one); each links only what it fuzzes.
        .library(name: "LogshipWire", targets: ["LogshipWire"]),
        .library(name: "LogshipJSON", targets: ["LogshipJSON"]),
        .library(name: "LogshipEvents", targets: ["LogshipEvents"]),
        .library(name: "LogshipFormat", targets: ["LogshipFormat"]),
        .library(name: "LogshipConfig", targets: ["LogshipConfig"]),
        .library(name: "LogshipDelivery", targets: ["LogshipDelivery"]),
        .library(name: "LogshipHTTP", targets: ["LogshipHTTP"]),
    ],
    targets: [
        .target(name: "LogshipSystem"),
        .target(name: "LogshipWire"),
        .target(name: "LogshipJSON"),
        // Below Config, which compiles the same matchers to check options at `docker run`,
        // and below Format, whose formatters take its events.
        .target(name: "LogshipEvents", dependencies: ["LogshipWire", "LogshipJSON"]),
        .target(name: "LogshipFormat", dependencies: ["LogshipWire", "LogshipJSON", "LogshipEvents"]),
        .target(name: "LogshipDestinations"),
        .target(name: "LogshipConfig", dependencies: ["LogshipFormat", "LogshipDestinations", "LogshipJSON", "LogshipEvents"]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .target(name: "LogshipDelivery", dependencies: ["LogshipSystem", "LogshipDestinations", "COpenSSL"]),
        .target(name: "LogshipHTTP", dependencies: ["LogshipSystem", "LogshipJSON"]),
        .target(
            name: "LogshipStreams",
            dependencies: ["LogshipSystem", "LogshipWire", "LogshipJSON", "LogshipEvents", "LogshipFormat", "LogshipDestinations",
                           "LogshipDelivery", "LogshipConfig"]
        ),
        .target(
            name: "LogshipPlugin",
            dependencies: ["LogshipSystem", "LogshipHTTP", "LogshipStreams", "LogshipJSON", "LogshipDestinations",
                           "LogshipDelivery", "LogshipConfig"]
        ),
        .executableTarget(name: "logship", dependencies: ["LogshipPlugin"]),
        .executableTarget(
            name: "logship-bench",
            dependencies: ["LogshipStreams", "LogshipConfig", "LogshipDestinations", "LogshipDelivery", "LogshipFormat", "LogshipWire",
                           "LogshipSystem"]
        ),

        // What several test targets share, split by what it needs. LogshipTestFrames
        // (Docker's FIFO frames) needs only the wire module, so the wire tests build
        // against it alone; LogshipTestSupport (waits, loopback receivers, registries that
        // shut down, a daemon's FIFOs, certificate files) needs the layers it drives.
        // Neither is a test target itself.
        .target(name: "LogshipTestFrames", dependencies: ["LogshipWire"], path: "Tests/LogshipTestFrames"),
        .target(
            name: "LogshipTestSupport",
            dependencies: ["LogshipSystem", "LogshipWire", "LogshipConfig", "LogshipDestinations", "LogshipDelivery", "LogshipStreams"],
            path: "Tests/LogshipTestSupport"
        ),
        .testTarget(name: "LogshipSystemTests", dependencies: ["LogshipSystem"]),
        .testTarget(name: "LogshipWireTests", dependencies: ["LogshipWire", "LogshipSystem", "LogshipTestFrames"],
                    exclude: ["Corpus", "make_corpus.py"]),
        .testTarget(name: "LogshipJSONTests", dependencies: ["LogshipJSON"]),
        .testTarget(name: "LogshipEventsTests", dependencies: ["LogshipEvents", "LogshipWire", "LogshipJSON"]),
        .testTarget(name: "LogshipFormatTests", dependencies: ["LogshipFormat", "LogshipWire", "LogshipEvents", "LogshipJSON"]),
        .testTarget(
            name: "LogshipDeliveryTests",
            dependencies: ["LogshipDelivery", "LogshipDestinations", "LogshipSystem", "LogshipTestSupport"]
        ),
        .testTarget(
            name: "LogshipConfigTests",
            dependencies: ["LogshipConfig", "LogshipDestinations", "LogshipFormat", "LogshipSystem", "LogshipTestSupport"]
        ),
        .testTarget(name: "LogshipHTTPTests", dependencies: ["LogshipHTTP", "LogshipSystem", "LogshipJSON", "LogshipTestSupport"]),
        .testTarget(
            name: "LogshipStreamsTests",
            dependencies: ["LogshipStreams", "LogshipSystem", "LogshipConfig", "LogshipDelivery", "LogshipDestinations",
                           "LogshipTestSupport", "LogshipTestFrames"]
        ),
        .testTarget(
            name: "LogshipPluginTests",
            dependencies: ["LogshipPlugin", "LogshipHTTP", "LogshipStreams", "LogshipSystem", "LogshipJSON", "LogshipConfig",
                           "LogshipTestSupport", "LogshipTestFrames"]
        ),
    ]
)
