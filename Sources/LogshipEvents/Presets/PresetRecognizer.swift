/// The `multiline-preset` recognisers together: a line any enabled one recognises as
/// part of the message in progress joins it; every other line starts a message of its
/// own. A line is held (waits for the next) only when a message could go on from it:
/// with `java`, any line (it may be the head of a trace that follows); with `python` and
/// `go`, only inside a traceback or a panic, so their ordinary lines go out at once.
public struct PresetRecognizer: Sendable {
    let java: Bool
    let python: Bool
    let go: Bool

    public init(_ presets: [MultilinePreset]) {
        java = presets.contains(.java)
        python = presets.contains(.python)
        go = presets.contains(.go)
    }

    public func classify(_ line: UnsafeRawBufferPointer, context: MessageContext, linesInMessage: Int) -> LineClassification {
        if go, context == .goPanic, let role = GoPanic.role(of: line) {
            return LineClassification(role: role, holds: true, context: .goPanic)
        }
        if python, let (role, next) = PythonTraceback.continuation(line, context: context, linesInMessage: linesInMessage) {
            return LineClassification(role: role, holds: true, context: next)
        }
        if java, linesInMessage > 0, JavaTrace.continues(line, afterHeadOnly: linesInMessage == 1 && context == .plain) {
            return LineClassification(role: .continuation, holds: true, context: .javaTrace)
        }
        if python, PythonTraceback.starts(line) {
            return LineClassification(role: .start, holds: true, context: .pythonTraceback)
        }
        if go, GoPanic.starts(line) {
            return LineClassification(role: .start, holds: true, context: .goPanic)
        }
        return LineClassification(role: .start, holds: java, context: .plain)
    }
}

/// Byte tests the recognisers share.
enum LineText {
    @inline(__always)
    static func hasPrefix(_ line: UnsafeRawBufferPointer, _ prefix: StaticString, at offset: Int = 0) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard offset + count <= line.count else { return false }
        let p = prefix.utf8Start
        for i in 0..<count where line[offset + i] != p[i] { return false }
        return true
    }

    @inline(__always)
    static func equals(_ line: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
        line.count == text.utf8CodeUnitCount && hasPrefix(line, text)
    }

    /// Spaces and tabs at the start.
    @inline(__always)
    static func indentation(_ line: UnsafeRawBufferPointer) -> Int {
        var i = 0
        while i < line.count, line[i] == 0x20 || line[i] == 0x09 { i += 1 }
        return i
    }

    @inline(__always)
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
}
