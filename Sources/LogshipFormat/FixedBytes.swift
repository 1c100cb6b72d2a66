import LogshipEvents
import LogshipWire

/// Bytes fixed for a formatter's life (header parts), kept outside ARC: reading them
/// on the per-line path is a pointer load, where an `[UInt8]` would be retained and
/// released around every append.
public struct FixedBytes: @unchecked Sendable {
    private final class Storage {
        let pointer: UnsafeMutableRawBufferPointer
        init(_ bytes: [UInt8]) {
            pointer = .allocate(byteCount: max(bytes.count, 1), alignment: 1)
            pointer.copyBytes(from: bytes)
        }
        deinit { pointer.deallocate() }
    }

    private let storage: Storage
    /// Valid as long as this value (or a copy) exists.
    public let bytes: UnsafeRawBufferPointer

    public init(_ bytes: [UInt8]) {
        storage = Storage(bytes)
        self.bytes = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(storage.pointer)[..<bytes.count])
    }

    public init(_ text: String) { self.init(Array(text.utf8)) }

    public var count: Int { bytes.count }
}

/// The part of a message that depends on the stream the line came from (syslog's PRI,
/// GELF's level, JSON's source), rendered once for stdout, stderr and logship's own
/// messages (drop notices).
struct FixedBytesBySource {
    private let stdout: FixedBytes
    private let stderr: FixedBytes
    private let logship: FixedBytes

    init(_ render: (LogSource) -> [UInt8]) {
        stdout = FixedBytes(render(.stdout))
        stderr = FixedBytes(render(.stderr))
        logship = FixedBytes(render(.logship))
    }

    @inline(__always)
    subscript(_ source: LogSource) -> UnsafeRawBufferPointer {
        switch source {
        case .stderr: return stderr.bytes
        case .logship: return logship.bytes
        case .stdout, .other: return stdout.bytes
        }
    }

    /// The stdout part's length (a datagram's header size does not depend on it).
    var count: Int { stdout.count }
}

/// The part of a message that depends on its severity (syslog's PRI, GELF's and JSON's
/// `level`), rendered once for each of the eight, in one buffer.
struct FixedBytesBySeverity {
    private let all: FixedBytes
    /// Where each severity's bytes start in `all`; the ninth entry is the end.
    private let starts: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)

    init(_ render: (Severity) -> [UInt8]) {
        var bytes: [UInt8] = []
        var starts: [UInt32] = []
        for code in 0...7 {
            starts.append(UInt32(bytes.count))
            bytes += render(Severity(code: code)!)
        }
        starts.append(UInt32(bytes.count))
        all = FixedBytes(bytes)
        self.starts = (starts[0], starts[1], starts[2], starts[3], starts[4], starts[5], starts[6], starts[7], starts[8])
    }

    @inline(__always)
    subscript(_ severity: Severity) -> UnsafeRawBufferPointer {
        withUnsafeBytes(of: starts) { raw in
            let index = Int(severity.code) * 4
            let start = Int(raw.load(fromByteOffset: index, as: UInt32.self))
            let end = Int(raw.load(fromByteOffset: index + 4, as: UInt32.self))
            return UnsafeRawBufferPointer(rebasing: all.bytes[start..<end])
        }
    }

    /// The longest severity's length (a datagram's header must fit any of them).
    var maxCount: Int { (0...7).map { self[Severity(code: $0)!].count }.max()! }
}
