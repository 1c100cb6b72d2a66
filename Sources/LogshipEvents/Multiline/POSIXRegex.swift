import Glibc

/// A POSIX extended regular expression compiled by glibc's `regcomp`, matched with
/// `regexec` over the line's bytes in place (REG_STARTEND: no copy, no terminating NUL
/// needed). REG_NOSUB: only whether a line matches is asked, so glibc records no
/// submatches and, in the C locale the plugin runs in, allocates nothing per call.
///
/// One per stream: `regexec` takes a lock inside the compiled expression, and streams
/// must not contend for it.
final class POSIXRegex {
    private let compiled = UnsafeMutablePointer<regex_t>.allocate(capacity: 1)

    init(extended pattern: String, ignoreCase: Bool) throws(PatternError) {
        let flags = REG_EXTENDED | REG_NOSUB | (ignoreCase ? REG_ICASE : 0)
        let status = regcomp(compiled, pattern, flags)
        guard status == 0 else {
            var message = [CChar](repeating: 0, count: 256)
            regerror(status, compiled, &message, message.count)
            compiled.deallocate()
            throw PatternError("regcomp rejected it as \(pattern.debugDescription): \(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
        }
    }

    deinit {
        regfree(compiled)
        compiled.deallocate()
    }

    @inline(__always)
    func matches(_ line: UnsafeRawBufferPointer) -> Bool {
        var range = regmatch_t(rm_so: 0, rm_eo: regoff_t(line.count))
        let start = line.baseAddress.map { $0.assumingMemoryBound(to: CChar.self) } ?? POSIXRegex.empty
        return regexec(compiled, start, 1, &range, REG_STARTEND) == 0
    }

    /// What `regexec` is given for an empty line (it needs a pointer; REG_STARTEND reads none of it).
    nonisolated(unsafe) private static let empty: UnsafePointer<CChar> = {
        let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        pointer.initialize(to: 0)
        return UnsafePointer(pointer)
    }()
}
