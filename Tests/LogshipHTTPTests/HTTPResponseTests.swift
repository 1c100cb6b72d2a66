import Testing
@testable import LogshipHTTP

@Suite struct HTTPResponseTests {
    @Test func writesAContentLengthHead() {
        let head = HTTPResponse.json(200, [UInt8]("{}".utf8)).head(closing: false, keepAliveForHTTP10: false)
        #expect(String(decoding: head, as: UTF8.self)
            == "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.plugins.v1.1+json\r\nContent-Length: 2\r\n\r\n")
    }

    @Test func countsTheBodyInBytesNotCharacters() {
        // "é" is two bytes and "👍" four: 1 + 2 + 4 = 7.
        let head = HTTPResponse(status: 200, body: Array("aé👍".utf8), contentType: "text/plain").head(closing: false, keepAliveForHTTP10: false)
        #expect(String(decoding: head, as: UTF8.self) == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 7\r\n\r\n")
    }

    @Test func saysWhenItCloses() {
        let response = HTTPResponse.error(413, "too big")
        #expect(response.body.count == 17)
        // Closing wins over an HTTP/1.0 client's keep-alive.
        let head = response.head(closing: true, keepAliveForHTTP10: true)
        #expect(String(decoding: head, as: UTF8.self)
            == "HTTP/1.1 413 Content Too Large\r\nContent-Type: application/vnd.docker.plugins.v1.1+json\r\nContent-Length: 17\r\nConnection: close\r\n\r\n")
    }

    @Test func confirmsKeepAliveToHTTP10Clients() {
        let head = HTTPResponse(status: 200, contentType: "text/plain").head(closing: false, keepAliveForHTTP10: true)
        #expect(String(decoding: head, as: UTF8.self)
            == "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n")
    }

    @Test func buildsTheDaemonsErrorShape() {
        #expect(HTTPResponse.error(500, "boom \"x\"").body == Array(#"{"Err":"boom \"x\""}"#.utf8))
        #expect(HTTPResponse.error(500, "x").status == 500)
    }

    @Test func namesUnknownStatusesByClass() {
        #expect(HTTPStatus.reasonPhrase(418) == "Client Error")
        #expect(HTTPStatus.reasonPhrase(599) == "Server Error")
        #expect(HTTPStatus.reasonPhrase(505) == "HTTP Version Not Supported")
    }
}
