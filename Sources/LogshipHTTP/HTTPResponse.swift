import LogshipJSON

/// A response: a status and a complete body. (logship offers no ReadLogs, the one
/// endpoint that would stream, so every answer has a Content-Length.)
public struct HTTPResponse: Sendable {
    /// What the plugin SDK answers with; the daemon never looks at it.
    public static let dockerPluginContentType = "application/vnd.docker.plugins.v1.1+json"

    public var status: Int
    public var contentType: String
    public var body: [UInt8]

    public init(status: Int, body: [UInt8] = [], contentType: String = HTTPResponse.dockerPluginContentType) {
        self.status = status
        self.body = body
        self.contentType = contentType
    }

    public static func json(_ status: Int, _ body: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, body: body)
    }

    public static func json(_ status: Int, _ value: JSONValue) -> HTTPResponse {
        HTTPResponse(status: status, body: value.serialized())
    }

    /// `{"Err":"<message>"}`, the error shape the daemon reads from plugins.
    public static func error(_ status: Int, _ message: String) -> HTTPResponse {
        json(status, ["Err": .string(message)])
    }
}

extension HTTPResponse {
    /// Status line and headers, blank line included.
    func head(closing: Bool, keepAliveForHTTP10: Bool) -> [UInt8] {
        var text = "HTTP/1.1 \(status) \(HTTPStatus.reasonPhrase(status))\r\nContent-Type: \(contentType)\r\n"
        text += "Content-Length: \(body.count)\r\n"
        if closing {
            text += "Connection: close\r\n"
        } else if keepAliveForHTTP10 {
            text += "Connection: keep-alive\r\n"
        }
        text += "\r\n"
        return Array(text.utf8)
    }
}
