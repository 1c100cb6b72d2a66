/// Stops the process when a property the fuzz target checks does not hold.
///
/// A trap is what libFuzzer recognises as a finding: it saves the input that caused
/// it as `crash-<sha1>` and exits non-zero, so a violated invariant is reported and
/// replayed exactly like a memory error.
@inline(__always)
public func invariant(_ condition: Bool, _ message: @autoclosure () -> String,
                      file: StaticString = #fileID, line: UInt = #line) {
    guard !condition else { return }
    fatalError("fuzz invariant violated: \(message())", file: file, line: line)
}
