import FuzzSupport

/// libFuzzer entry point: the input is the byte stream the daemon writes into a
/// container's log FIFO.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrames(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FIFOReplay(stream: fuzzInput(data, size)).run()
    return 0
}
