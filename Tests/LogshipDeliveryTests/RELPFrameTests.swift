import Testing
@testable import LogshipDelivery

private func frames(_ text: String, maxDataBytes: Int = 128 * 1024, pieces: Int = 1) -> [RELPFrameParser.Outcome] {
    var parser = RELPFrameParser(maxDataBytes: maxDataBytes)
    var out: [RELPFrameParser.Outcome] = []
    let bytes = Array(text.utf8)
    let step = max(1, bytes.count / pieces)
    var offset = 0
    repeat {
        let end = pieces == 1 ? bytes.count : min(bytes.count, offset + step)
        bytes[offset..<end].withUnsafeBytes { parser.append($0) }
        offset = end
        while true {
            let outcome = parser.next()
            if outcome == .needMoreData { break }
            out.append(outcome)
            if case .invalid = outcome { return out }
        }
    } while offset < bytes.count
    return out
}

private func frame(_ txnr: Int, _ command: String, _ data: String) -> RELPFrameParser.Outcome {
    .frame(RELPFrame(txnr: txnr, command: command, data: ArraySlice(data.utf8)))
}

private func invalid(_ text: String) -> String? {
    guard case let .invalid(error)? = frames(text).last else { return nil }
    return error.description
}

@Suite struct RELPFrameTests {
    @Test func encodesCommandsAsTheSpecificationFramesThem() {
        var out: [UInt8] = []
        RELPFrame.append(txnr: 1, command: "open", data: RELPSession.offers, to: &out)
        RELPFrame.append(txnr: 2, command: "syslog", data: Array("<30>1 - h app - - - hi".utf8), to: &out)
        RELPFrame.append(txnr: 999_999_999, command: "close", data: [], to: &out)
        #expect(String(decoding: out, as: UTF8.self)
            == "1 open 52 relp_version=0\nrelp_software=logship\ncommands=syslog\n2 syslog 22 <30>1 - h app - - - hi\n999999999 close 0\n")
        #expect(RELPFrame.txnr(after: 999_999_999) == 1 && RELPFrame.txnr(after: 1) == 2)
    }

    /// The session frames its `syslog` commands by hand: the same bytes as `append`.
    @Test func syslogCommandsWrittenInPlaceAreTheSpecificationsFrames() {
        for (txnr, text) in [(1, "<30>1 - h app - - - hi"), (999_999_999, ""), (123_456, String(repeating: "x", count: 70_000))] {
            let data = Array(text.utf8)
            var expected: [UInt8] = []
            RELPFrame.append(txnr: txnr, command: "syslog", data: data, to: &expected)
            let out = UnsafeMutableRawBufferPointer.allocate(byteCount: data.count + RELPSession.syslogFrameOverhead, alignment: 1)
            defer { out.deallocate() }
            let length = data.withUnsafeBytes { RELPFrame.writeSyslog(txnr: txnr, data: $0, into: out.baseAddress!) }
            #expect(Array(out[..<length]) == expected, "txnr \(txnr), \(data.count) bytes")
        }
        var empty: [UInt8] = []
        RELPFrame.append(txnr: 7, command: "syslog", data: [], to: &empty)
        #expect(String(decoding: empty, as: UTF8.self) == "7 syslog 0\n")
    }

    /// Acknowledgements taken in bulk are exactly the frames `next` returns and the
    /// session counts as 200s, in order from the expected number; the bulk stops before
    /// the first that is anything else, and `next` returns that one as before.
    @Test func acknowledgementsInBulkStopWhereAnythingElseBegins() {
        func bulk(_ text: String, from first: Int, limit: Int = 100) -> (taken: Int, rest: [RELPFrameParser.Outcome]) {
            var parser = RELPFrameParser()
            Array(text.utf8).withUnsafeBytes { parser.append($0) }
            let taken = parser.takeAcknowledgements(startingAt: first, limit: limit)
            var rest: [RELPFrameParser.Outcome] = []
            while true {
                let outcome = parser.next()
                if outcome == .needMoreData { break }
                rest.append(outcome)
                if case .invalid = outcome { break }
            }
            return (taken, rest)
        }
        #expect(bulk("2 rsp 6 200 OK\n3 rsp 3 200\n4 rsp 7 200\nx=y\n5 rsp 6 200 OK", from: 2) == (3, []))
        #expect(bulk("2 rsp 6 200 OK\n3 rsp 6 200 OK\n", from: 2, limit: 1) == (1, [frame(3, "rsp", "200 OK")]))
        // Another number, status, command or shape: left for `next`.
        #expect(bulk("2 rsp 6 200 OK\n4 rsp 6 200 OK\n", from: 2) == (1, [frame(4, "rsp", "200 OK")]))
        #expect(bulk("2 rsp 6 500 no\n3 rsp 6 200 OK\n", from: 2) == (0, [frame(2, "rsp", "500 no"), frame(3, "rsp", "200 OK")]))
        #expect(bulk("2 rsp 4 2000\n", from: 2) == (0, [frame(2, "rsp", "2000")]))
        #expect(bulk("2 rsp 0\n", from: 2) == (0, [frame(2, "rsp", "")]))
        #expect(bulk("0 serverclose 0\n", from: 1) == (0, [frame(0, "serverclose", "")]))
        #expect(bulk("2 RSP 6 200 OK\n", from: 2) == (0, [frame(2, "RSP", "200 OK")]))
        #expect(bulk("02 rsp 6 200 OK\n", from: 2) == (1, []))
        #expect(bulk("2 rsp 6 200 OKx", from: 2).taken == 0)
        #expect(bulk("1000000000 rsp 6 200 OK\n", from: 1_000_000_000).taken == 0)
        #expect(bulk("2 rsp 200000 200 OK", from: 2, limit: 1).taken == 0)
        // Across the wrap to 1.
        #expect(bulk("999999999 rsp 6 200 OK\n1 rsp 6 200 OK\n", from: 999_999_999) == (2, []))
    }

    /// librelp's answers, as captured from rsyslog 8.2302 with librelp 1.11.
    @Test func parsesWhatImrelpSends() {
        let open = "1 rsp 93 200 OK\nrelp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog\n"
        let answers = "2 rsp 6 200 OK\n3 rsp 6 200 OK\n5 rsp 0\n0 serverclose 0\n"
        let expected = [frame(1, "rsp", "200 OK\nrelp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog"),
                        frame(2, "rsp", "200 OK"), frame(3, "rsp", "200 OK"), frame(5, "rsp", ""), frame(0, "serverclose", "")]
        #expect(frames(open + answers) == expected)
    }

    /// A TCP read may end anywhere: one byte at a time and in a few pieces, the frames
    /// are the same as from one read.
    @Test func partialReadsGiveTheSameFrames() {
        let text = "1 rsp 25 200 OK\nrelp_version=0\nx=y\n22 rsp 20 500 command disabled\n0 serverclose 0\n"
        let whole = frames(text)
        #expect(whole.count == 3)
        for pieces in [2, 3, 7, text.utf8.count] {
            #expect(frames(text, pieces: pieces) == whole, "in \(pieces) pieces")
        }
    }

    @Test func badFramesAreProtocolErrors() {
        #expect(invalid("x rsp 6 200 OK\n") == "a frame that does not start with a transaction number (\"x\")")
        #expect(invalid("1234567890 rsp 0\n") == "a transaction number longer than 9 digits")
        #expect(invalid("2-rsp 0\n") == "\"-\" after the transaction number")
        #expect(invalid("2  rsp 0\n") == "a frame without a command (byte 0x20)")
        #expect(invalid("2 r$p 0\n") == "\"$\" in a command")
        #expect(invalid("2 \(String(repeating: "a", count: 33)) 0\n") == "a command longer than 32 letters")
        #expect(invalid("2 rsp x\n") == "a rsp frame without a data length (\"x\")")
        #expect(invalid("2 rsp 1234567890 x\n") == "a data length longer than 9 digits")
        #expect(invalid("2 rsp 0 \n") == "byte 0x20 where a rsp frame without data ends")
        #expect(invalid("2 rsp 6\n200 OK\n") == "byte 0xa after the data length")
        #expect(invalid("2 rsp 6 200 OK!") == "a rsp frame whose 6 bytes of data are not followed by LF (\"!\")")
        #expect(frames("2 rsp 11 0123456789\n", maxDataBytes: 10).last == .invalid(RELPProtocolError("a rsp frame of 11 bytes, more than the 10 accepted")))
        // After an invalid frame the parser says so again: nothing after it is trusted.
        var parser = RELPFrameParser()
        Array("bad\n2 rsp 0\n".utf8).withUnsafeBytes { parser.append($0) }
        #expect(parser.next() == parser.next())
    }

    /// An incomplete frame is not an error, however long the wait for its end.
    @Test func incompleteFramesWaitForMoreBytes() {
        for prefix in ["", "2", "2 ", "2 rs", "2 rsp", "2 rsp ", "2 rsp 6", "2 rsp 6 ", "2 rsp 6 200 O", "2 rsp 6 200 OK"] {
            #expect(frames(prefix).isEmpty, "\(prefix.debugDescription)")
        }
    }

    @Test func answersAndTheirStatus() throws {
        let ok = try RELPResponse(parsing: ArraySlice("200 OK".utf8))
        #expect(ok.status == 200 && ok.text == "OK" && ok.isSuccess && ok.data.isEmpty)
        let refused = try RELPResponse(parsing: ArraySlice("500 command disabled".utf8))
        #expect(refused.status == 500 && !refused.isSuccess && refused.summary == "500 command disabled")
        let bare = try RELPResponse(parsing: ArraySlice("200".utf8))
        #expect(bare.status == 200 && bare.text.isEmpty)
        let empty = try RELPResponse(parsing: ArraySlice())
        #expect(empty.status == nil && !empty.isSuccess && empty.summary == "an empty answer")
        let control = try RELPResponse(parsing: ArraySlice("500 bad\u{1B}[2J".utf8))
        #expect(control.text == "bad\\x1b[2J", "no terminal escapes into the plugin log")
        #expect(throws: RELPProtocolError.self) { try RELPResponse(parsing: ArraySlice("20".utf8)) }
        #expect(throws: RELPProtocolError.self) { try RELPResponse(parsing: ArraySlice("OK 200".utf8)) }
        #expect(throws: RELPProtocolError.self) { try RELPResponse(parsing: ArraySlice("200X".utf8)) }
    }

    @Test func offersOfTheOpenAnswer() throws {
        let open = try RELPResponse(parsing: ArraySlice("200 OK\nrelp_version=0\nrelp_software=librelp,1.11.0,http://x\ncommands=syslog".utf8))
        let offers = RELPOffers(parsing: open.data)
        #expect(offers["relp_version"] == ["0"] && offers["relp_software"] == ["librelp", "1.11.0", "http://x"])
        #expect(offers.problemForSyslog == nil)
        #expect(RELPOffers(parsing: ArraySlice("commands=syslog".utf8)).problemForSyslog == "the server's answer to open has no relp_version offer")
        #expect(RELPOffers(parsing: ArraySlice("relp_version=0\ncommands=eventlog".utf8)).problemForSyslog
            == "the server does not offer the syslog command (its commands: eventlog)")
        #expect(RELPOffers(parsing: ArraySlice("relp_version=0".utf8)).problemForSyslog == "the server does not offer the syslog command (its commands: none)")
    }
}
