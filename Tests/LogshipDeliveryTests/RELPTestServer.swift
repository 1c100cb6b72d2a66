import Glibc
import LogshipSystem
import LogshipTestSupport
import Synchronization

/// A RELP receiver on loopback that answers `syslog` commands as a script says and
/// records every command it gets, for tests of the client side. It reads frames with a
/// small parser of its own, so a bug in logship's parser cannot hide itself here.
final class RELPTestServer: @unchecked Sendable {
    struct Command: Equatable, Sendable {
        var connection: Int
        var txnr: Int
        var name: String
        var data: String
    }

    enum Answer: Sendable {
        /// `rsp` with this data ("200 OK", "500 busy").
        case status(String)
        /// No answer, ever.
        case silence
        /// `0 serverclose 0`, then the connection is closed (what rsyslog does when it stops).
        case serverClose
        /// The connection is closed with no answer to this command (answers held for earlier
        /// ones are sent first).
        case drop
        /// These bytes instead of an answer.
        case raw(String)
    }

    private struct State {
        var commands: [Command] = []
        var connections = 0
        var syslogCount = 0
        var mostUnanswered = 0
        var sockets: [Socket] = []
        var running = 0
        var closed = false
    }

    let port: UInt16
    private let listener: Socket
    private let openAnswer: String
    private let group: Int
    private let script: @Sendable (_ index: Int, _ command: Command) -> Answer
    private let state = Mutex(State())

    /// - Parameters:
    ///   - openAnswer: the data of the answer to `open` (librelp's, by default).
    ///   - group: answers are held until this many commands wait (then, after a short
    ///     pause in which more may arrive, all are sent): with more than 1 the server
    ///     sees how many commands a client has in flight at once.
    ///   - script: the answer for the syslog command number `index` (counted from 0 over
    ///     all connections).
    init(openAnswer: String = "200 OK\nrelp_version=0\nrelp_software=librelp,1.11.0,http://librelp.adiscon.com\ncommands=syslog",
         answersInGroupsOf group: Int = 1, script: @escaping @Sendable (_ index: Int, _ command: Command) -> Answer = { _, _ in .status("200 OK") }) throws {
        signal(SIGPIPE, SIG_IGN)
        self.openAnswer = openAnswer
        self.group = group
        self.script = script
        listener = try Socket.listenTCP(host: "127.0.0.1", port: 0)
        port = try listener.localAddress().port!
        state.withLock { $0.running = 1 }
        try spawnThread(name: "relp-test-accept") { [self] in acceptLoop() }
    }

    var commands: [Command] { state.withLock { $0.commands } }
    var syslogMessages: [String] { commands.filter { $0.name == "syslog" }.map(\.data) }
    var connectionCount: Int { state.withLock { $0.connections } }
    /// The most syslog commands that waited for their answers at once.
    var mostUnanswered: Int { state.withLock { $0.mostUnanswered } }

    func close() {
        let sockets = state.withLock { state in
            state.closed = true
            return state.sockets
        }
        listener.shutdown()
        for socket in sockets { socket.shutdown() }
        _ = waitUntil { state.withLock { $0.running == 0 } }
        listener.close()
    }

    private func acceptLoop() {
        defer { state.withLock { $0.running -= 1 } }
        while let connection = try? listener.accept() {
            let number = state.withLock { state -> Int? in
                guard !state.closed else { return nil }
                state.connections += 1
                state.sockets.append(connection)
                state.running += 1
                return state.connections
            }
            guard let number else {
                connection.close()
                return
            }
            do {
                try spawnThread(name: "relp-test-connection") { [self] in
                    serve(connection, number: number)
                    connection.close()
                    state.withLock { $0.running -= 1 }
                }
            } catch {
                connection.close()
                state.withLock { $0.running -= 1 }
            }
        }
    }

    private func serve(_ connection: Socket, number: Int) {
        var buffer: [UInt8] = []
        var held: [(txnr: Int, data: String)] = []
        var chunk = [UInt8](repeating: 0, count: 65536)

        func send(_ text: String) -> Bool {
            (try? Array(text.utf8).withUnsafeBytes { try connection.sendAll($0) }) != nil
        }
        func flush() -> Bool {
            state.withLock { $0.mostUnanswered = max($0.mostUnanswered, held.count) }
            let text = held.map { "\($0.txnr) rsp \($0.data.utf8.count)\($0.data.isEmpty ? "" : " " + $0.data)\n" }.joined()
            held.removeAll()
            return text.isEmpty || send(text)
        }
        /// Reads what is there within `milliseconds`; false at the end of the connection.
        func read(waiting milliseconds: Int) -> Bool {
            guard (try? connection.descriptor.wait(for: .readable, until: MonotonicClock.now() + Int64(milliseconds) * 1_000_000)) == true else { return true }
            let n = chunk.withUnsafeMutableBytes { (try? connection.receive(into: $0)) ?? 0 }
            if n <= 0 { return false }
            buffer += chunk[0..<n]
            return true
        }
        /// Handles the complete frames in `buffer`; false once the connection is to end.
        func handleFrames() -> Bool {
            while let (txnr, name, data) = RELPTestServer.takeFrame(&buffer) {
                var command = Command(connection: number, txnr: txnr, name: name, data: String(decoding: data, as: UTF8.self))
                switch name {
                case "open":
                    guard send("\(txnr) rsp \(openAnswer.utf8.count) \(openAnswer)\n") else { return false }
                case "close":
                    state.withLock { $0.commands.append(command) }
                    _ = flush()
                    _ = send("\(txnr) rsp 0\n0 serverclose 0\n")
                    return false
                default:
                    let index = state.withLock { state -> Int in
                        state.syslogCount += 1
                        return state.syslogCount - 1
                    }
                    command.name = name
                    state.withLock { $0.commands.append(command) }
                    switch script(index, command) {
                    case let .status(text): held.append((txnr, text))
                    case .silence: continue
                    case .serverClose:
                        _ = flush()
                        _ = send("0 serverclose 0\n")
                        return false
                    case .drop:
                        _ = flush()
                        return false
                    case let .raw(text):
                        guard flush(), send(text) else { return false }
                    }
                    continue
                }
                state.withLock { $0.commands.append(command) }
            }
            return true
        }

        while true {
            guard read(waiting: held.isEmpty ? 1000 : 50) else { return }
            let before = held.count
            guard handleFrames() else { return }
            if held.count >= group {
                // A pause for commands past the window to arrive, if the client sends any.
                sleep(nanoseconds: 30_000_000)
                while (try? connection.descriptor.wait(for: .readable, until: MonotonicClock.now())) == true {
                    guard read(waiting: 0) else { return }
                }
                guard handleFrames(), flush() else { return }
            } else if held.count == before && !held.isEmpty {
                // Nothing new for 50 ms: the client waits for these.
                guard flush() else { return }
            }
            if state.withLock({ $0.closed }) { return }
        }
    }

    /// `TXNR SP COMMAND SP DATALEN [SP DATA] LF` from the front of `buffer`, once whole.
    private static func takeFrame(_ buffer: inout [UInt8]) -> (Int, String, [UInt8])? {
        var fields: [[UInt8]] = [[], [], []]
        var field = 0
        var index = 0
        while index < buffer.count && field < 3 {
            let byte = buffer[index]
            if byte == UInt8(ascii: " ") && field < 2 {
                field += 1
            } else if (byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n")) && field == 2 {
                break
            } else {
                fields[field].append(byte)
            }
            index += 1
        }
        guard index < buffer.count, let txnr = Int(String(decoding: fields[0], as: UTF8.self)),
              let length = Int(String(decoding: fields[2], as: UTF8.self)) else { return nil }
        let dataStart = length == 0 ? index : index + 1
        guard buffer.count > dataStart + length else { return nil }
        precondition(buffer[dataStart + length] == UInt8(ascii: "\n"), "a frame from the client without its LF")
        let data = Array(buffer[dataStart..<(dataStart + length)])
        buffer.removeFirst(dataStart + length + 1)
        return (txnr, String(decoding: fields[1], as: UTF8.self), data)
    }
}
