/// systemd's sd-daemon convention: a line that starts with `<N>` carries its severity
/// there (`<3>boom` is err). The prefix is read and taken off the line.
///
/// Like journald's reader of service output, one to three digits are accepted; a value
/// above 7 carries a facility too (`<11>` is user.err), which is ignored: the facility
/// is the container's `syslog-facility`.
public enum SeverityPrefix {
    /// The severity and the line without its prefix; nil when there is none.
    @inline(__always)
    public static func split(_ line: UnsafeRawBufferPointer) -> (Severity, UnsafeRawBufferPointer)? {
        guard line.count >= 3, line[0] == UInt8(ascii: "<") else { return nil }
        var value = 0
        var index = 1
        while index < line.count, index <= 3, line[index] >= 0x30, line[index] <= 0x39 {
            value = value * 10 + Int(line[index] - 0x30)
            index += 1
        }
        guard index > 1, index < line.count, line[index] == UInt8(ascii: ">"), value <= 191 else { return nil }
        return (Severity(code: value % 8)!, UnsafeRawBufferPointer(rebasing: line[(index + 1)...]))
    }
}
