/// Sizes like Docker's `units.RAMInBytes`: `512`, `64k`, `1m`, `1.5MiB`, `2g`,
/// all binary (1m = 1 048 576 bytes).
enum ByteSize {
    static func parse(_ text: String) -> Int? {
        let trimmed = text.lowercased().filter { $0 != " " }
        let number = trimmed.prefix { $0.isNumber || $0 == "." }
        let unit = trimmed.dropFirst(number.count)
        guard let value = Double(number), value >= 0 else { return nil }
        let multiplier: Double
        switch unit {
        case "", "b": multiplier = 1
        case "k", "kb", "kib": multiplier = 1024
        case "m", "mb", "mib": multiplier = 1024 * 1024
        case "g", "gb", "gib": multiplier = 1024 * 1024 * 1024
        default: return nil
        }
        let bytes = value * multiplier
        guard bytes < Double(Int.max) else { return nil }
        return Int(bytes)
    }
}
