import FuzzSupport

/// libFuzzer entry point: the input is what a client writes to the plugin socket.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(fuzzInput(data, size))
    for limits in ParserLimits.all {
        SplitConsistency(bytes: bytes, limits: limits).check()
    }
    return 0
}
