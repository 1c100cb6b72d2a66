import Glibc
import LogshipSystem

/// A minimal HTTP/1.1 client over a unix socket, written for the tests from the
/// protocol text rather than from the server code, so the two check each other.
struct HTTPTestClient {
    struct Closed: Error {}

    let socket: Socket
    private var received: [UInt8] = []

    init(path: String) throws {
        socket = try Socket.make(family: AF_UNIX, type: .stream)
        do {
            try socket.connect(to: SocketAddress(unixPath: path), timeoutMilliseconds: 2000)
            // A server that fails to answer must fail the test, not hang it.
            try socket.setReceiveTimeout(milliseconds: 5000)
        } catch {
            // Tests that poll for a refused connection would otherwise leak a descriptor per try.
            socket.close()
            throw error
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try socket.sendAll($0) }
    }

    func close() { socket.close() }

    /// Bytes sent that the server has not read yet (SIOCOUTQ: on a unix stream socket
    /// the peer's unread data is charged to the sender until it is read).
    var bytesUnreadByServer: Int {
        var count: Int32 = 0
        let siocoutq: UInt = 0x5411  // TIOCOUTQ, which SIOCOUTQ equals on Linux
        guard ioctl(socket.descriptor.rawValue, siocoutq, &count) == 0 else { return -1 }
        return Int(count)
    }

    mutating func readResponse() throws -> HTTPTestResponse {
        let headEnd = try readUntil(Array("\r\n\r\n".utf8))
        let headText = String(decoding: received[..<headEnd], as: UTF8.self)
        received.removeFirst(headEnd + 4)
        var lines = headText.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let statusLine = lines.removeFirst()
        var response = HTTPTestResponse(
            statusLine: statusLine,
            status: Int(statusLine.split(separator: " ")[1]) ?? 0,
            headers: lines.map { line in
                let colon = line.firstIndex(of: ":")!
                return (String(line[..<colon]), String(line[line.index(after: colon)...]).trimmingSpaces())
            }
        )
        if let length = response.header("Content-Length").flatMap({ Int($0) }) {
            try fill(length)
            response.body = Array(received[..<length])
            received.removeFirst(length)
        } else if response.header("Transfer-Encoding") == "chunked" {
            response.body = try readChunkedBody()
        } else {
            response.body = try readUntilClosed()
        }
        return response
    }

    /// Everything the server sends until it closes the connection.
    mutating func readUntilClosed() throws -> [UInt8] {
        while try receiveMore() {}
        defer { received = [] }
        return received
    }

    /// True when the server closed the connection without sending anything more.
    mutating func isClosedByServer() throws -> Bool {
        try readUntilClosed().isEmpty
    }

    private mutating func readChunkedBody() throws -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let lineEnd = try readUntil(Array("\r\n".utf8))
            let size = Int(String(decoding: received[..<lineEnd], as: UTF8.self), radix: 16)!
            received.removeFirst(lineEnd + 2)
            try fill(size + 2)
            body += received[..<size]
            received.removeFirst(size + 2)
            if size == 0 { return body }
        }
    }

    private mutating func readUntil(_ marker: [UInt8]) throws -> Int {
        while true {
            if received.count >= marker.count {
                for start in 0...(received.count - marker.count) where received[start..<(start + marker.count)].elementsEqual(marker) {
                    return start
                }
            }
            guard try receiveMore() else { throw Closed() }
        }
    }

    private mutating func fill(_ count: Int) throws {
        while received.count < count {
            guard try receiveMore() else { throw Closed() }
        }
    }

    private mutating func receiveMore() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = try chunk.withUnsafeMutableBytes { try socket.receive(into: $0) }
        received += chunk[..<count]
        return count > 0
    }
}

struct HTTPTestResponse {
    var statusLine: String
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8] = []

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var bodyText: String { String(decoding: body, as: UTF8.self) }
}

private extension String {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
