/// An incremental HTTP/1.1 request parser: feed it bytes as they arrive, in pieces of
/// any size, and take complete requests out.
///
/// It knows nothing of sockets, so it can be unit tested and fuzzed on its own. Memory
/// is bounded by the limits: a head may not exceed `maxHeaderBytes` before its end is
/// seen, and a body is refused as soon as its announced or decoded size exceeds
/// `maxBodyBytes`.
public struct HTTPRequestParser: Sendable {
    public let maxHeaderBytes: Int
    public let maxBodyBytes: Int

    /// Received bytes; those before `consumed` are done with and dropped lazily.
    private var buffer: [UInt8] = []
    private var consumed = 0
    /// In line-oriented stages: where the current, incomplete line starts, and how far
    /// it has already been searched for its LF (so one-byte reads stay linear).
    private var lineStart = 0
    private var searched = 0
    private var stage: Stage = .head
    private var pending: HTTPRequest?
    private var failure: HTTPParseError?

    private enum Stage {
        case head
        case fixedBody(length: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
    }

    /// Chunk-size lines only carry a number and rare extensions; bound them too.
    static let maxChunkLineBytes = 4096

    public init(maxHeaderBytes: Int = HTTPServerLimits().maxHeaderBytes, maxBodyBytes: Int = HTTPServerLimits().maxBodyBytes) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
    }

    public init(limits: HTTPServerLimits) {
        self.init(maxHeaderBytes: limits.maxHeaderBytes, maxBodyBytes: limits.maxBodyBytes)
    }

    /// Whether part of a request has been received: the difference between a quiet
    /// keep-alive connection (close it) and a stalled client (answer 408).
    public var hasPartialRequest: Bool {
        if case .head = stage { return buffer.count > consumed }
        return true
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil else { return }
        dropConsumedBytes()
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// The next complete request, if the bytes so far hold one. Call it until it says
    /// `.needMoreData`: several pipelined requests can arrive in one read.
    public mutating func nextRequest() -> HTTPParseResult {
        if let failure { return .failure(failure) }
        do {
            guard let request = try advance() else { return .needMoreData }
            return .request(request)
        } catch {
            failure = error
            buffer = []
            return .failure(error)
        }
    }

    private mutating func advance() throws(HTTPParseError) -> HTTPRequest? {
        while true {
            switch stage {
            case .head:
                guard let end = try endOfBlock(skippingLeadingBlankLines: true, what: "request headers") else { return nil }
                let request = try HTTPRequestHead.parse(buffer[consumed..<end])
                let framing = try HTTPBodyFraming.of(request, maxBodyBytes: maxBodyBytes)
                startLines(at: end)
                switch framing {
                case .none:
                    return request
                case .length(let length):
                    stage = .fixedBody(length: length)
                case .chunked:
                    stage = .chunkSize
                }
                pending = request

            case .fixedBody(let length):
                guard buffer.count - consumed >= length else { return nil }
                pending?.body = Array(buffer[consumed..<(consumed + length)])
                startLines(at: consumed + length)
                return finishRequest()

            case .chunkSize:
                // The limit holds whether or not the line's LF has arrived yet, so the
                // verdict never depends on how the bytes were split into reads.
                guard let newline = nextLineFeed() else {
                    guard buffer.count - consumed <= Self.maxChunkLineBytes else { throw .badRequest("chunk size line too long") }
                    return nil
                }
                guard newline - consumed <= Self.maxChunkLineBytes else { throw .badRequest("chunk size line too long") }
                let size = try HTTPChunkSizeLine.parse(buffer[consumed..<newline])
                if size == 0 {
                    startLines(at: newline + 1)
                    stage = .trailers
                } else {
                    guard size <= maxBodyBytes - (pending?.body.count ?? 0) else { throw .bodyTooLarge(limit: maxBodyBytes) }
                    consumed = newline + 1
                    stage = .chunkData(remaining: size)
                }

            case .chunkData(let remaining):
                let available = min(remaining, buffer.count - consumed)
                guard available > 0 else { return nil }
                pending?.body.append(contentsOf: buffer[consumed..<(consumed + available)])
                consumed += available
                stage = available == remaining ? .chunkDataEnd : .chunkData(remaining: remaining - available)

            case .chunkDataEnd:
                guard consumed < buffer.count else { return nil }
                if buffer[consumed] == carriageReturn {
                    guard consumed + 1 < buffer.count else { return nil }
                    consumed += 1
                }
                guard buffer[consumed] == lineFeed else { throw .badRequest("chunk data longer than its size") }
                startLines(at: consumed + 1)
                stage = .chunkSize

            case .trailers:
                guard let end = try endOfBlock(skippingLeadingBlankLines: false, what: "request trailers") else { return nil }
                // Trailers are checked for well-formedness and then dropped: nothing here
                // needs them, and merging them into the headers is a known way to smuggle.
                for line in try HTTPLines.split(buffer[consumed..<end]) {
                    _ = try HTTPRequestHead.parseField(line)
                }
                startLines(at: end)
                return finishRequest()
            }
        }
    }

    private mutating func finishRequest() -> HTTPRequest? {
        stage = .head
        defer { pending = nil }
        return pending
    }

    /// Marks everything before `index` as consumed and starts searching lines there.
    private mutating func startLines(at index: Int) {
        consumed = index
        lineStart = index
        searched = index
    }

    private mutating func nextLineFeed() -> Int? {
        guard let newline = buffer[searched...].firstIndex(of: lineFeed) else {
            searched = buffer.count
            return nil
        }
        return newline
    }

    /// Finds the blank line that ends a header block starting at `consumed`; returns the
    /// index just past it. Blank lines before a request are skipped (RFC 9112 §2.2).
    private mutating func endOfBlock(skippingLeadingBlankLines: Bool, what: String) throws(HTTPParseError) -> Int? {
        while let newline = nextLineFeed() {
            let isBlank = newline == lineStart || (newline == lineStart + 1 && buffer[lineStart] == carriageReturn)
            let blankLineStart = lineStart
            lineStart = newline + 1
            searched = lineStart
            if isBlank && skippingLeadingBlankLines && blankLineStart == consumed {
                consumed = lineStart
                continue
            }
            guard lineStart - consumed <= maxHeaderBytes else { throw .headersTooLarge(what, limit: maxHeaderBytes) }
            if isBlank { return lineStart }
        }
        guard buffer.count - consumed <= maxHeaderBytes else { throw .headersTooLarge(what, limit: maxHeaderBytes) }
        return nil
    }

    /// Drops consumed bytes once they are at least half the buffer, so the cost of
    /// moving the rest down stays proportional to what was received.
    private mutating func dropConsumedBytes() {
        guard consumed > 0, consumed * 2 >= buffer.count else { return }
        buffer.removeFirst(consumed)
        lineStart = max(0, lineStart - consumed)
        searched = max(0, searched - consumed)
        consumed = 0
    }
}
