import FuzzSupport

/// libFuzzer entry point: the input is a request body, or a log line the json and
/// gelf formatters escape.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = fuzzInput(data, size)
    RoundTrip.checkDocument(input)
    RoundTrip.checkStringEscaping(input)
    return 0
}
