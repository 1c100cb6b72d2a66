import Glibc
import LogshipConfig
import LogshipDelivery
import LogshipDestinations
import LogshipFormat
import LogshipStreams
import LogshipSystem

// The pipeline benchmark: frames made in memory → decode → reassemble → format →
// queue → sender → a loopback TCP sink, with the same code the plugin runs, next to
// the floor of just copying the same bytes through the same queue and socket.
//
//   swift run -c release logship-bench [--entries N] [--rounds R] [--sizes 100,1024]
//                                      [--formats rfc5424micro,json,gelf,raw,rfc3164] [--no-spool] [--markdown]
//                                      [--variants off,pattern,regex,preset,level-auto]
//   A format may end in +rate-limit (e.g. json+rate-limit): the same with a rate limit that never triggers.
//
// With --variants, each format runs once per variant (EventVariant: multi-line joining,
// severity from the line) and the table compares each with the same format's plain
// lines in the same run; the copy floor is left out.

var entries = 2_000_000
var rounds = 3
var markdown = false
var sizes = [100, 1024]
var formats = ["rfc5424micro", "json"]
var variants: [EventVariant] = []
// The plugin's own path by default: every batch is appended to a spool (page cache).
var spoolRoot: String? = "/tmp/logship-bench-spool-\(getpid())"
var arguments = Array(CommandLine.arguments.dropFirst())
while let argument = arguments.first {
    arguments.removeFirst()
    switch argument {
    case "--entries": entries = Int(arguments.removeFirst())!
    case "--rounds": rounds = Int(arguments.removeFirst())!
    case "--markdown": markdown = true
    case "--sizes": sizes = arguments.removeFirst().split(separator: ",").map { Int($0)! }
    case "--formats": formats = arguments.removeFirst().split(separator: ",").map(String.init)
    case "--no-spool": spoolRoot = nil
    case "--variants":
        variants = arguments.removeFirst().split(separator: ",").map { EventVariant(rawValue: String($0))! }
        if !variants.contains(.off) { variants.insert(.off, at: 0) }
    default:
        print("usage: logship-bench [--entries N] [--rounds R] [--sizes 100,1024] [--formats rfc5424micro,json] [--no-spool] [--markdown] [--variants off,pattern,regex,preset,level-auto]")
        exit(2)
    }
}

let benchmark = try PipelineBenchmark(entries: entries, spoolRoot: spoolRoot)

if !variants.isEmpty {
    // Variants side by side: for each size and format, each variant against plain lines.
    if markdown {
        print("| line | path | entries/s (wall) | pipeline ns/entry (CPU) | × plain lines (CPU) | dropped |")
        print("|---|---|---|---|---|---|")
    }
    for size in sizes {
        let corpus = FrameCorpus(frames: size == 100 ? 100_000 : 20_000, lineBytes: size)
        let chunks = PipelineBenchmark.reads(of: corpus)
        var results: [String: [EventVariant: [RunResult]]] = [:]
        for _ in 0..<rounds {
            for format in formats {
                for variant in variants {
                    results[format, default: [:]][variant, default: []].append(try benchmark.pipeline(format, variant: variant, corpus: corpus, chunks: chunks))
                }
            }
        }
        for format in formats {
            let plain = median(results[format]![.off]!)
            for variant in variants {
                let r = median(results[format]![variant]!)
                let ratio = Double(r.pipelineCPUNanoseconds) / Double(plain.pipelineCPUNanoseconds)
                let name = markdown ? String(r.name.flatMap { $0 == "|" ? ["\\", "|"] : [$0] }) : r.name
                let cells = ["\(size) B", name, formatted(r.entriesPerSecond, 0), formatted(r.cpuNanosecondsPerEntry, 1),
                             formatted(ratio, 2), "\(r.dropped)"]
                print(markdown ? "| " + cells.joined(separator: " | ") + " |" : cells.joined(separator: "\t"))
            }
        }
    }
}

var rows: [(size: Int, result: RunResult, floor: RunResult)] = []
for size in sizes where variants.isEmpty {
    let corpus = FrameCorpus(frames: size == 100 ? 100_000 : 20_000, lineBytes: size)
    let chunks = PipelineBenchmark.reads(of: corpus)
    // Alternate the runs so drift on a noisy machine hits every variant alike.
    var floors: [RunResult] = []
    var results: [String: [RunResult]] = [:]
    for _ in 0..<rounds {
        floors.append(benchmark.copyFloor(corpus: corpus, chunks: chunks))
        for format in formats {
            results[format, default: []].append(try benchmark.pipeline(format, corpus: corpus, chunks: chunks))
        }
    }
    let floor = median(floors)
    rows.append((size, floor, floor))
    for format in formats { rows.append((size, median(results[format]!), floor)) }
}

if markdown && variants.isEmpty {
    print("| line | path | entries/s (wall) | pipeline ns/entry (CPU) | entries/s on one core | input MB/s | × copy floor (CPU) | dropped |")
    print("|---|---|---|---|---|---|---|---|")
}
for row in rows where variants.isEmpty {
    let r = row.result
    let ratio = r.pipelineCPUNanoseconds == 0 ? 0 : Double(r.pipelineCPUNanoseconds) / Double(row.floor.pipelineCPUNanoseconds)
    let cells = ["\(row.size) B", r.name, formatted(r.entriesPerSecond, 0), formatted(r.cpuNanosecondsPerEntry, 1),
                 formatted(r.cpuEntriesPerSecond, 0), formatted(r.inputMegabytesPerSecond, 1), formatted(ratio, 2), "\(r.dropped)"]
    print(markdown ? "| " + cells.joined(separator: " | ") + " |" : cells.joined(separator: "\t"))
}
benchmark.registry.release(benchmark.destination)
// Delivered: the released destination retires and removes its spool; then the root.
benchmark.registry.shutdown(deadline: MonotonicClock.now() + 5_000_000_000)
if let spoolRoot {
    for name in (try? FileSystem.listDirectory(spoolRoot)) ?? [] {
        let directory = spoolRoot + "/" + name
        for file in (try? FileSystem.listDirectory(directory)) ?? [] { FileSystem.remove(directory + "/" + file) }
        FileSystem.removeDirectory(directory)
    }
    FileSystem.removeDirectory(spoolRoot)
}
exit(0)
