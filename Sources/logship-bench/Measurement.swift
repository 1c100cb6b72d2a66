import Glibc
import LogshipSystem

/// CPU time of the calling thread, in nanoseconds: what the pipeline itself costs,
/// whatever the sender and sink threads do on the other core.
func threadCPUNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

struct RunResult {
    var name: String
    var entries: Int
    var inputBytes: Int
    var outputBytes: Int
    /// From the first byte fed to the last byte received by the sink.
    var wallNanoseconds: Int64
    /// CPU of the thread that decodes and formats.
    var pipelineCPUNanoseconds: Int64
    var dropped: Int

    var entriesPerSecond: Double { Double(entries) / (Double(wallNanoseconds) / 1e9) }
    var cpuNanosecondsPerEntry: Double { Double(pipelineCPUNanoseconds) / Double(entries) }
    var cpuEntriesPerSecond: Double { 1e9 / cpuNanosecondsPerEntry }
    var inputMegabytesPerSecond: Double { Double(inputBytes) / (Double(wallNanoseconds) / 1e9) / 1e6 }
}

func median(_ results: [RunResult]) -> RunResult {
    results.sorted { $0.wallNanoseconds < $1.wallNanoseconds }[results.count / 2]
}

/// `value` with `digits` decimals, without Foundation's formatting.
func formatted(_ value: Double, _ digits: Int) -> String {
    var text = String(Int((value * pow(10, Double(digits))).rounded()))
    if digits > 0 {
        while text.count <= digits { text = "0" + text }
        text.insert(".", at: text.index(text.endIndex, offsetBy: -digits))
    }
    return text
}
