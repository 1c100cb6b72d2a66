// swift-tools-version:6.0
import PackageDescription

// No package dependencies: only the toolchain, plus the system OpenSSL for TLS.
// Each module is one layer of the pipeline, and the dependency arrows below are
// the architecture:
//
//   LogshipSystem   thin typed wrappers over syscalls (fds, sockets, threads, locks)
//   LogshipWire     the FIFO wire format: frames, the LogEntry decoder, reassembly
//   LogshipJSON     a small JSON reader and writer (requests, json/gelf output)
//   LogshipFormat   syslog / json / gelf / raw formatting into reusable byte buffers
//   LogshipDelivery per-destination queues, senders and transports
//   COpenSSL        the system OpenSSL (libssl-dev), for tcp+tls: LogshipDelivery only
//   LogshipConfig   the one option whitelist, templates, container metadata
//   LogshipPlugin   the Docker plugin protocol: HTTP server, handlers, stream registry
//   logship         the executable: wiring only
//   logship-bench   the pipeline benchmark (swift run -c release logship-bench)
let package = Package(
    name: "logship",
    products: [
        .executable(name: "logship", targets: ["logship"]),
        // The layers as libraries, for the fuzz targets in Fuzz/ (a package of its own,
        // so that sanitizer builds never touch this one).
        .library(name: "LogshipWire", targets: ["LogshipWire"]),
        .library(name: "LogshipJSON", targets: ["LogshipJSON"]),
        .library(name: "LogshipFormat", targets: ["LogshipFormat"]),
        .library(name: "LogshipDelivery", targets: ["LogshipDelivery"]),
        .library(name: "LogshipConfig", targets: ["LogshipConfig"]),
        .library(name: "LogshipPlugin", targets: ["LogshipPlugin"]),
    ],
    targets: [
        .target(name: "LogshipSystem"),
        .target(name: "LogshipWire"),
        .target(name: "LogshipJSON"),
        .target(name: "LogshipFormat", dependencies: ["LogshipWire", "LogshipJSON"]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .target(name: "LogshipDestinations"),
        .target(name: "LogshipDelivery", dependencies: ["LogshipSystem", "LogshipDestinations", "COpenSSL"]),
        .target(name: "LogshipConfig", dependencies: ["LogshipFormat", "LogshipDestinations", "LogshipJSON"]),
        .target(
            name: "LogshipPlugin",
            dependencies: ["LogshipSystem", "LogshipWire", "LogshipJSON", "LogshipFormat", "LogshipDelivery", "LogshipConfig"]
        ),
        .executableTarget(name: "logship", dependencies: ["LogshipPlugin"]),
        .executableTarget(
            name: "logship-bench",
            dependencies: ["LogshipPlugin", "LogshipConfig", "LogshipDelivery", "LogshipFormat", "LogshipSystem"]
        ),

        // What several test targets share (fixture files); not a test target itself.
        .target(name: "LogshipTestSupport", path: "Tests/LogshipTestSupport"),
        .testTarget(name: "LogshipSystemTests", dependencies: ["LogshipSystem"]),
        .testTarget(name: "LogshipWireTests", dependencies: ["LogshipWire"], exclude: ["Corpus", "make_corpus.py"]),
        .testTarget(name: "LogshipJSONTests", dependencies: ["LogshipJSON"]),
        .testTarget(name: "LogshipFormatTests", dependencies: ["LogshipFormat", "LogshipWire"]),
        .testTarget(name: "LogshipDeliveryTests", dependencies: ["LogshipDelivery", "LogshipDestinations", "LogshipSystem"]),
        .testTarget(name: "LogshipConfigTests", dependencies: ["LogshipConfig", "LogshipDestinations", "LogshipFormat", "LogshipTestSupport"]),
        .testTarget(name: "LogshipPluginTests", dependencies: ["LogshipPlugin", "LogshipSystem", "LogshipJSON", "LogshipConfig", "LogshipDelivery", "LogshipDestinations", "LogshipTestSupport"]),
    ]
)
