/// Reads RELP frames out of the bytes a connection delivers, however the reads cut them.
///
/// Bytes are appended as they arrive; `next` returns one complete frame at a time. The
/// header of an incomplete frame is parsed again when more bytes come: it is at most 53
/// bytes (9 digits, 32 letters, 9 digits, 3 separators), so that costs little, and the
/// parser keeps no state besides its buffer.
struct RELPFrameParser {
    enum Outcome: Equatable {
        case frame(RELPFrame)
        case needMoreData
        case invalid(RELPProtocolError)
    }

    /// The largest DATALEN accepted. The server's frames are answers of a few bytes (the
    /// open answer carries its offers); librelp's own limit on data is 128 KiB.
    let maxDataBytes: Int
    private var buffer: [UInt8] = []
    /// Where the next frame starts in `buffer`; the consumed head is cut off lazily.
    private var start = 0
    /// After an invalid frame nothing more is parsed: the session is over.
    private var failure: RELPProtocolError?

    init(maxDataBytes: Int = 128 * 1024) {
        self.maxDataBytes = maxDataBytes
    }

    /// Bytes received and not yet returned as frames.
    var bufferedBytes: Int { buffer.count - start }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        // Consumed bytes go before new ones are added, so the buffer holds at most one
        // partial frame plus one read.
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    mutating func next() -> Outcome {
        if let failure { return .invalid(failure) }
        switch parseFrame() {
        case let .frame(frame, end):
            start = end
            return .frame(frame)
        case .incomplete:
            return .needMoreData
        case let .invalid(error):
            failure = error
            return .invalid(error)
        }
    }

    /// Takes the acknowledgements at the head of the buffer: complete `rsp` frames whose
    /// answer is a 200 (`200`, then the end, a space or LF, as `RELPResponse` reads it),
    /// for transactions `first`, the one after it and so on, at most `limit` of them.
    /// Returns how many it took. Stops before anything else (an incomplete frame, another
    /// command, another status, another number, a malformed frame), which `next` then
    /// returns as usual; so the frames it takes are exactly those `next` would have
    /// returned, and that the session would have counted as acknowledged.
    ///
    /// The bulk of what a session reads, parsed in one pass over the buffer without a
    /// frame, a `String` or a response per answer.
    mutating func takeAcknowledgements(startingAt first: Int, limit: Int) -> Int {
        guard failure == nil, limit > 0 else { return 0 }
        let maxDataBytes = maxDataBytes
        let (taken, end) = buffer.withUnsafeBufferPointer { bytes -> (Int, Int) in
            var taken = 0
            var index = start
            var expected = first
            let end = bytes.count
            frames: while taken < limit {
                var i = index
                // TXNR: the expected number, 1 to 9 digits.
                var txnr = 0
                var digits = 0
                while i < end, bytes[i] &- UInt8(ascii: "0") < 10 {
                    txnr = txnr &* 10 &+ Int(bytes[i] &- UInt8(ascii: "0"))
                    digits += 1
                    i += 1
                }
                guard digits > 0, digits <= 9, txnr == expected else { break frames }
                // " rsp "
                guard end - i >= 5, bytes[i] == UInt8(ascii: " "), bytes[i + 1] == UInt8(ascii: "r"),
                      bytes[i + 2] == UInt8(ascii: "s"), bytes[i + 3] == UInt8(ascii: "p"),
                      bytes[i + 4] == UInt8(ascii: " ") else { break frames }
                i += 5
                // DATALEN, SP
                var length = 0
                digits = 0
                while i < end, bytes[i] &- UInt8(ascii: "0") < 10 {
                    length = length &* 10 &+ Int(bytes[i] &- UInt8(ascii: "0"))
                    digits += 1
                    i += 1
                }
                guard digits > 0, digits <= 9, length <= maxDataBytes, length >= 3, i < end,
                      bytes[i] == UInt8(ascii: " ") else { break frames }
                i += 1
                // DATA, LF
                guard end - i > length, bytes[i + length] == UInt8(ascii: "\n") else { break frames }
                guard bytes[i] == UInt8(ascii: "2"), bytes[i + 1] == UInt8(ascii: "0"), bytes[i + 2] == UInt8(ascii: "0"),
                      length == 3 || bytes[i + 3] == UInt8(ascii: " ") || bytes[i + 3] == UInt8(ascii: "\n") else { break frames }
                index = i + length + 1
                taken += 1
                expected = RELPFrame.txnr(after: expected)
            }
            return (taken, index)
        }
        start = end
        return taken
    }

    private enum Parse {
        case frame(RELPFrame, end: Int)
        case incomplete
        case invalid(RELPProtocolError)
    }

    private func parseFrame() -> Parse {
        var index = start
        let end = buffer.count
        guard index < end else { return .incomplete }

        // TXNR: 1 to 9 digits, then SP.
        var txnr = 0
        var digits = 0
        while index < end, let digit = Self.digit(buffer[index]) {
            digits += 1
            guard digits <= 9 else { return .invalid(RELPProtocolError("a transaction number longer than 9 digits")) }
            txnr = txnr * 10 + digit
            index += 1
        }
        guard index < end else { return .incomplete }
        guard digits > 0 else { return .invalid(RELPProtocolError("a frame that does not start with a transaction number (\(Self.show(buffer[index])))")) }
        guard buffer[index] == UInt8(ascii: " ") else { return .invalid(RELPProtocolError("\(Self.show(buffer[index])) after the transaction number")) }
        index += 1

        // COMMAND: 1 to 32 letters, then SP.
        let commandStart = index
        while index < end, Self.isLetter(buffer[index]) {
            guard index - commandStart < 32 else { return .invalid(RELPProtocolError("a command longer than 32 letters")) }
            index += 1
        }
        guard index < end else { return .incomplete }
        guard index > commandStart else { return .invalid(RELPProtocolError("a frame without a command (\(Self.show(buffer[index])))")) }
        guard buffer[index] == UInt8(ascii: " ") else { return .invalid(RELPProtocolError("\(Self.show(buffer[index])) in a command")) }
        let command = String(decoding: buffer[commandStart..<index], as: UTF8.self)
        index += 1

        // DATALEN: 1 to 9 digits; then LF when it is 0, else SP, DATA and LF.
        var length = 0
        digits = 0
        while index < end, let digit = Self.digit(buffer[index]) {
            digits += 1
            guard digits <= 9 else { return .invalid(RELPProtocolError("a data length longer than 9 digits")) }
            length = length * 10 + digit
            index += 1
        }
        guard index < end else { return .incomplete }
        guard digits > 0 else { return .invalid(RELPProtocolError("a \(command) frame without a data length (\(Self.show(buffer[index])))")) }
        guard length <= maxDataBytes else {
            return .invalid(RELPProtocolError("a \(command) frame of \(length) bytes, more than the \(maxDataBytes) accepted"))
        }
        if length == 0 {
            guard buffer[index] == UInt8(ascii: "\n") else { return .invalid(RELPProtocolError("\(Self.show(buffer[index])) where a \(command) frame without data ends")) }
            return .frame(RELPFrame(txnr: txnr, command: command, data: buffer[index..<index]), end: index + 1)
        }
        guard buffer[index] == UInt8(ascii: " ") else { return .invalid(RELPProtocolError("\(Self.show(buffer[index])) after the data length")) }
        index += 1
        guard end - index > length else { return .incomplete }
        let data = buffer[index..<(index + length)]
        index += length
        guard buffer[index] == UInt8(ascii: "\n") else {
            return .invalid(RELPProtocolError("a \(command) frame whose \(length) bytes of data are not followed by LF (\(Self.show(buffer[index])))"))
        }
        return .frame(RELPFrame(txnr: txnr, command: command, data: data), end: index + 1)
    }

    private static func digit(_ byte: UInt8) -> Int? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int(byte - UInt8(ascii: "0")) : nil
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    /// A byte for an error message: printable ASCII as itself, anything else in hex.
    private static func show(_ byte: UInt8) -> String {
        byte > 0x20 && byte < 0x7F ? "\"\(Character(Unicode.Scalar(byte)))\"" : "byte 0x\(String(byte, radix: 16))"
    }
}
