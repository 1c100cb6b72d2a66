import FuzzSupport

/// libFuzzer entry point: the input is a `/LogDriver.StartLogging` request body.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStartLogging(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    StartLoggingReplay.run(body: fuzzInput(data, size))
    return 0
}
