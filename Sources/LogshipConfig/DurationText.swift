/// Durations like `500ms`, `30s`, `5m`, `1h`.
enum DurationText {
    static let day: Int64 = 86_400_000_000_000

    /// Nanoseconds; nil for text that is not a duration or is longer than a day (which
    /// also keeps `1e10h` from overflowing Int64).
    static func parse(_ text: String) -> Int64? {
        let units: [(String, Double)] = [("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3600e9)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let value = Double(text.dropLast(suffix.count)), value >= 0, value * scale <= Double(day) else { return nil }
            return Int64(value * scale)
        }
        return nil
    }
}
