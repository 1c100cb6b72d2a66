/// The fuzzer's input read front to back as the choices of one run. Past its end
/// every choice is 0, so any input, however short, describes a whole run.
struct InputBytes {
    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var isAtEnd: Bool { index >= bytes.count }

    mutating func byte() -> UInt8 {
        guard index < bytes.count else { return 0 }
        defer { index += 1 }
        return bytes[index]
    }

    /// A choice in 0..<count (count > 0), from one byte, or two when count > 256.
    mutating func below(_ count: Int) -> Int {
        let raw = count > 256 ? Int(byte()) << 8 | Int(byte()) : Int(byte())
        return raw % count
    }
}
