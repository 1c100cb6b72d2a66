import FuzzSupport

/// libFuzzer entry point: the input is what a RELP server sends back to logship.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRELP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(fuzzInput(data, size))
    FrameSplitConsistency(bytes: bytes).check()
    SessionReplay(answers: bytes).check()
    return 0
}
