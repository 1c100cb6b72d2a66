import Testing
@testable import LogshipSystem

@Suite struct SocketAddressTests {
    @Test func portOfAnIPAddressAndNoneForAUnixPath() throws {
        #expect(try SocketAddress.resolve(host: "127.0.0.1", port: 514, type: .stream)[0].port == 514)
        #expect(try SocketAddress.resolve(host: "::1", port: 6514, type: .stream)[0].port == 6514)
        #expect(try SocketAddress(unixPath: "/run/logship.sock").port == nil)
    }

    /// What a listener on port 0 reports is the port the kernel chose, the one its
    /// address names.
    @Test func portOfASocketBoundToPortZeroIsTheChosenOne() throws {
        let listener = try Socket.listenTCP(host: "127.0.0.1", port: 0)
        defer { listener.close() }
        let address = try listener.localAddress()
        let port = try #require(address.port)
        #expect(port != 0)
        #expect(address.description == "127.0.0.1:\(port)")
    }
}
