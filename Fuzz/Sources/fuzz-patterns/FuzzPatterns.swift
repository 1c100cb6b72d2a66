import FuzzSupport

/// libFuzzer entry point: a `multiline-pattern` or `multiline-datetime-format` as an
/// operator writes it (untrusted text reaching a translator and glibc's `regcomp`) with
/// lines to match, or lines for the joiner (`JoinerReplay`).
///
/// Input: a mode byte, then fields separated by NUL bytes: the pattern or format, then
/// up to 32 lines. Mode % 3: 0 pattern, 1 datetime format, 2 joiner.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPatterns(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = fuzzInput(data, size)
    guard let mode = input.first else { return 0 }
    let fields = input.dropFirst().split(separator: 0, omittingEmptySubsequences: false).prefix(33).map { Array($0) }
    let spec = String(decoding: fields.first ?? [], as: UTF8.self)
    let lines = Array(fields.dropFirst())
    switch mode % 3 {
    case 0: PatternAgreement.check(spec, lines)
    case 1: PatternAgreement.checkDatetime(spec, lines)
    default: JoinerReplay.check(control: fields.first ?? [], lines)
    }
    return 0
}
