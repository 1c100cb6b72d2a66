/// Bounds on what one client can make the server hold: memory per request, time per
/// request, threads in total. The defaults are far above what the Docker daemon sends.
public struct HTTPServerLimits: Sendable {
    /// Request line plus headers (and, separately, chunked trailers), blank line included.
    public var maxHeaderBytes: Int
    /// The decoded request body.
    public var maxBodyBytes: Int
    /// Time allowed to receive a whole request once its first byte has arrived, so a
    /// client that sends half a request cannot hold a thread.
    public var requestTimeoutMilliseconds: Int
    /// How long a keep-alive connection may wait for its next request.
    public var idleTimeoutMilliseconds: Int
    /// How long a response write may block on a client that does not read.
    public var sendTimeoutMilliseconds: Int
    /// Connections served at once; each one is a thread. Beyond it the connection that
    /// has been idle longest is closed to make room, or, when none is idle, 503 and close.
    public var maxConnections: Int

    public init(
        maxHeaderBytes: Int = 16 * 1024,
        maxBodyBytes: Int = 8 * 1024 * 1024,
        requestTimeoutMilliseconds: Int = 10_000,
        idleTimeoutMilliseconds: Int = 120_000,
        sendTimeoutMilliseconds: Int = 30_000,
        maxConnections: Int = 64
    ) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
        self.requestTimeoutMilliseconds = requestTimeoutMilliseconds
        self.idleTimeoutMilliseconds = idleTimeoutMilliseconds
        self.sendTimeoutMilliseconds = sendTimeoutMilliseconds
        self.maxConnections = maxConnections
    }

    /// For `/metrics` and `/health`: GETs from a scraper, which sends its request as soon
    /// as it connects. Connections that say nothing are closed within two seconds, so a
    /// client holding many open cannot keep Prometheus out.
    public static let metrics = HTTPServerLimits(maxHeaderBytes: 8 * 1024, maxBodyBytes: 64 * 1024,
                                                 requestTimeoutMilliseconds: 5_000, idleTimeoutMilliseconds: 2_000,
                                                 sendTimeoutMilliseconds: 5_000, maxConnections: 16)
}
