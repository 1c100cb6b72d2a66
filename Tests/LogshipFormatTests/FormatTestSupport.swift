import LogshipFormat
import LogshipWire

let sampleContext = FormatContext(
    hostname: "vm", tag: "abcdef012345", containerID: "abcdef012345" + String(repeating: "0", count: 52),
    containerName: "web", imageName: "busybox", imageID: "sha256:" + String(repeating: "ab", count: 32),
    command: "sh -c echo", created: "2026-11-26T16:00:00.5Z")

/// 2026-11-26T16:16:21.143681123Z
let sampleTime: Int64 = 1_795_709_781_143_681_123

/// Formats `text` as one line and returns the output as a string.
func render(_ text: String, source: LogSource = .stdout, time: Int64 = sampleTime,
            _ append: (Line, inout [UInt8]) -> Void) -> String {
    var out: [UInt8] = []
    Array(text.utf8).withUnsafeBytes { bytes in
        append(Line(source: source, timeNano: time, bytes: bytes), &out)
    }
    return String(decoding: out, as: UTF8.self)
}

func renderBytes(_ bytes: [UInt8], _ append: (Line, inout [UInt8]) -> Void) -> [UInt8] {
    var out: [UInt8] = []
    bytes.withUnsafeBytes { append(Line(source: .stdout, timeNano: sampleTime, bytes: $0), &out) }
    return out
}
