// swift-tools-version:6.0
import PackageDescription

// libFuzzer targets for logship's parsers of untrusted input, kept in their own
// package so `swift build` / `swift test` of logship never see the fuzzer flags.
// Each executable defines only `LLVMFuzzerTestOneInput`; libFuzzer supplies `main`
// when built as scripts/fuzz.sh does (it explains the flags):
//   swift build -c release --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address
// The dependency is named explicitly so its identity does not depend on the name of
// the directory the repository is checked out into.
let package = Package(
    name: "logship-fuzz",
    dependencies: [
        .package(name: "logship", path: ".."),
    ],
    targets: [
        .target(name: "FuzzSupport"),
        .executableTarget(name: "fuzz-frames", dependencies: [
            "FuzzSupport",
            .product(name: "LogshipWire", package: "logship"),
        ]),
        .executableTarget(name: "fuzz-http", dependencies: [
            "FuzzSupport",
            .product(name: "LogshipHTTP", package: "logship"),
        ]),
        .executableTarget(name: "fuzz-json", dependencies: [
            "FuzzSupport",
            .product(name: "LogshipJSON", package: "logship"),
        ]),
        .executableTarget(name: "fuzz-patterns", dependencies: [
            "FuzzSupport",
            .product(name: "LogshipEvents", package: "logship"),
            .product(name: "LogshipWire", package: "logship"),
        ]),
        .executableTarget(name: "fuzz-spool", dependencies: [
            "FuzzSupport",
            .product(name: "LogshipDelivery", package: "logship"),
        ]),
        .executableTarget(name: "fuzz-relp", dependencies: [
            "FuzzSupport",
            .product(name: "LogshipDelivery", package: "logship"),
        ]),
        .executableTarget(name: "fuzz-start-logging", dependencies: [
            "FuzzSupport",
            .product(name: "LogshipJSON", package: "logship"),
            .product(name: "LogshipConfig", package: "logship"),
            .product(name: "LogshipFormat", package: "logship"),
            .product(name: "LogshipWire", package: "logship"),
        ]),
    ]
)
