/// The bytes libFuzzer passes to `LLVMFuzzerTestOneInput`, as a buffer pointer.
///
/// libFuzzer may pass a null pointer with a size of 0; `UnsafeRawBufferPointer`
/// accepts exactly that pair, so targets never special-case the empty input.
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: data, count: size)
}
