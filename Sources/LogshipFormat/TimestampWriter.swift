/// The timestamp layouts logship writes, all in UTC.
public enum TimestampStyle: Sendable {
    /// `2026-11-26T16:16:21Z` (RFC 5424 with whole seconds).
    case rfc3339Seconds
    /// `2026-11-26T16:16:21.143681Z` (RFC 5424 "micro", always 6 digits).
    case rfc3339Micro
    /// `2026-11-26T16:16:21.143681123Z` (JSON output, always 9 digits).
    case rfc3339Nano
    /// `Nov 26 16:16:21`, day padded with a space (RFC 3164, Go's `time.Stamp`).
    case bsd
    /// `1764173781.143681`: seconds with microseconds (GELF).
    case epochMicro

    /// How many bytes the style always writes (GELF's epoch form varies; it is only
    /// used in stream outputs that need no length up front).
    var fixedLength: Int? {
        switch self {
        case .rfc3339Seconds: return 20
        case .rfc3339Micro: return 27
        case .rfc3339Nano: return 30
        case .bsd: return 15
        case .epochMicro: return nil
        }
    }
}

/// Writes entry timestamps, reusing the date part while the second does not change:
/// a busy container logs thousands of lines per second, so the calendar arithmetic
/// runs about once a second instead of once a line.
public struct TimestampWriter: Sendable {
    public let style: TimestampStyle
    private var cachedSecond: Int64 = .min
    /// The formatted part up to and including the seconds (at most 19 bytes), inline
    /// rather than in an array so that using it costs no reference counting.
    private var cachedPrefix: (UInt64, UInt64, UInt64) = (0, 0, 0)
    private var cachedPrefixLength = 0

    public init(style: TimestampStyle) {
        self.style = style
    }

    public mutating func append(timeNano: Int64, to out: inout [UInt8]) {
        var second = timeNano / 1_000_000_000
        var nanos = Int(timeNano % 1_000_000_000)
        if nanos < 0 {
            nanos += 1_000_000_000
            second -= 1
        }
        if style == .epochMicro {
            out.append(decimal: Int(second))
            out.append(UInt8(ascii: "."))
            out.append(zeroPadded: nanos / 1000, width: 6)
            return
        }
        if second != cachedSecond { refresh(second) }
        // The whole timestamp is assembled on the stack and appended at once: one
        // capacity check instead of one per digit.
        var scratch: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let length = cachedPrefixLength
        let total = Swift.withUnsafeMutableBytes(of: &scratch) { raw -> Int in
            Swift.withUnsafeBytes(of: &cachedPrefix) { raw.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: length) }
            switch style {
            case .rfc3339Seconds:
                raw[length] = UInt8(ascii: "Z")
                return length + 1
            case .rfc3339Micro:
                raw[length] = UInt8(ascii: ".")
                writeDigits(nanos / 1000, count: 6, into: raw, at: length + 1)
                raw[length + 7] = UInt8(ascii: "Z")
                return length + 8
            case .rfc3339Nano:
                raw[length] = UInt8(ascii: ".")
                writeDigits(nanos, count: 9, into: raw, at: length + 1)
                raw[length + 10] = UInt8(ascii: "Z")
                return length + 11
            case .bsd, .epochMicro:
                return length
            }
        }
        Swift.withUnsafeBytes(of: &scratch) { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[..<total])) }
    }

    private mutating func refresh(_ second: Int64) {
        cachedSecond = second
        var cachedPrefix: [UInt8] = []
        defer {
            cachedPrefixLength = cachedPrefix.count
            withUnsafeMutableBytes(of: &self.cachedPrefix) { $0.copyBytes(from: cachedPrefix) }
        }
        let t = CivilTime(epochSeconds: second)
        if style == .bsd {
            cachedPrefix.append(contentsOf: monthAbbreviations[t.month - 1].utf8)
            cachedPrefix.append(UInt8(ascii: " "))
            cachedPrefix.append(t.day < 10 ? UInt8(ascii: " ") : UInt8(truncatingIfNeeded: t.day / 10) + 0x30)
            cachedPrefix.append(UInt8(truncatingIfNeeded: t.day % 10) + 0x30)
            cachedPrefix.append(UInt8(ascii: " "))
        } else {
            // Four digits always: receivers parse RFC 3339 by position.
            cachedPrefix.append(zeroPadded: min(max(t.year, 0), 9999), width: 4)
            cachedPrefix.append(UInt8(ascii: "-"))
            cachedPrefix.append(zeroPadded: t.month, width: 2)
            cachedPrefix.append(UInt8(ascii: "-"))
            cachedPrefix.append(zeroPadded: t.day, width: 2)
            cachedPrefix.append(UInt8(ascii: "T"))
        }
        cachedPrefix.append(zeroPadded: t.hour, width: 2)
        cachedPrefix.append(UInt8(ascii: ":"))
        cachedPrefix.append(zeroPadded: t.minute, width: 2)
        cachedPrefix.append(UInt8(ascii: ":"))
        cachedPrefix.append(zeroPadded: t.second, width: 2)
    }
}

private let monthAbbreviations = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

/// Writes `value` as exactly `count` decimal digits, zero-padded.
@inline(__always)
private func writeDigits(_ value: Int, count: Int, into raw: UnsafeMutableRawBufferPointer, at offset: Int) {
    var v = value
    var i = offset + count - 1
    while i >= offset {
        raw[i] = UInt8(truncatingIfNeeded: v % 10) &+ 0x30
        v /= 10
        i -= 1
    }
}
