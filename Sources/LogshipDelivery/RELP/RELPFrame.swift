// RELP, the Reliable Event Logging Protocol of rsyslog's librelp (its doc/relp.md is the
// specification this follows): the client sends commands, each with a transaction
// number; the server answers every one with a `rsp` frame carrying the same number, in
// the order the commands came. A `syslog` command is one message; its answer `200` is
// the receiver's acknowledgement.

/// One RELP frame: `TXNR SP COMMAND SP DATALEN [SP DATA] LF`.
///
/// `data` is a slice of the parser's buffer: valid until the parser is given more bytes,
/// so a frame is handled before the next read.
struct RELPFrame: Equatable {
    var txnr: Int
    var command: String
    var data: ArraySlice<UInt8>

    /// Transaction numbers run from 1 to 999,999,999, then start at 1 again; 0 is for
    /// hints (commands nobody answers, such as the server's `serverclose`).
    static let maximumTxnr = 999_999_999

    static func txnr(after txnr: Int) -> Int { txnr >= maximumTxnr ? 1 : txnr + 1 }

    /// Appends a frame for `command` with `data` to `out`.
    static func append(txnr: Int, command: StaticString, data: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        appendDecimal(txnr, to: &out)
        out.append(UInt8(ascii: " "))
        command.withUTF8Buffer { out.append(contentsOf: $0) }
        out.append(UInt8(ascii: " "))
        appendDecimal(data.count, to: &out)
        if !data.isEmpty {
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: data)
        }
        out.append(UInt8(ascii: "\n"))
    }

    /// Writes a `syslog` frame for `data` at `out`, which has room for it (the data and
    /// `RELPSession.syslogFrameOverhead`); returns its length.
    @inline(__always)
    static func writeSyslog(txnr: Int, data: UnsafeRawBufferPointer, into out: UnsafeMutableRawPointer) -> Int {
        var at = writeDecimal(txnr, into: out)
        out.storeBytes(of: syslogWord.littleEndian, toByteOffset: at, as: UInt64.self)
        at += 8
        at += writeDecimal(data.count, into: out + at)
        if !data.isEmpty {
            out.storeBytes(of: UInt8(ascii: " "), toByteOffset: at, as: UInt8.self)
            (out + at + 1).copyMemory(from: data.baseAddress!, byteCount: data.count)
            at += 1 + data.count
        }
        out.storeBytes(of: UInt8(ascii: "\n"), toByteOffset: at, as: UInt8.self)
        return at + 1
    }

    /// " syslog " as one little-endian word: its bytes 20 73 79 73 6c 6f 67 20.
    private static let syslogWord: UInt64 = 0x2067_6F6C_7379_7320

    /// Writes `value` (0 to 999,999,999) in decimal at `out`; returns how many digits.
    @inline(__always)
    private static func writeDecimal(_ value: Int, into out: UnsafeMutableRawPointer) -> Int {
        precondition(value >= 0 && value <= 999_999_999)
        var digits = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        rest = value
        var index = digits
        repeat {
            index -= 1
            out.storeBytes(of: UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10), toByteOffset: index, as: UInt8.self)
            rest /= 10
        } while rest > 0
        return digits
    }

    static func append(txnr: Int, command: StaticString, data: [UInt8], to out: inout [UInt8]) {
        data.withUnsafeBytes { append(txnr: txnr, command: command, data: $0, to: &out) }
    }

    private static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        precondition(value >= 0)
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var index = buffer.count
            var rest = value
            repeat {
                index -= 1
                buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            } while rest > 0
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[index...]))
        }
    }
}

/// What the server sent that RELP does not allow: the session cannot go on (the
/// specification's answer to any framing error is to close the connection).
struct RELPProtocolError: Error, Equatable, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
