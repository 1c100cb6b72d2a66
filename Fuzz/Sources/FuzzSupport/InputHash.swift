/// FNV-1a over the input: a reproducible "random" number for choices a target makes
/// about an input (where to split it), without spending input bytes on them, so the
/// committed seeds keep their meaning.
public func inputHash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
        hash ^= UInt64(byte)
        hash &*= 0x0000_0100_0000_01b3
    }
    return hash
}
