import Glibc
import LogshipSystem
import Testing
@testable import LogshipStreams

/// A records directory that cannot be listed (a restarted plugin out of descriptors)
/// is not "no streams": re-attaching must look again, or the FIFOs stay unread and
/// block their containers.
@Suite struct StreamStateStoreTests {
    @Test func aDirectoryThatCannotBeListedIsAnErrorNotAnEmptyList() throws {
        let root = "/tmp/logship-state-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let directory = root + "/streams"
        try FileSystem.makeDirectory(root)
        defer {
            for name in (try? FileSystem.listDirectory(directory)) ?? [] { FileSystem.remove(directory + "/" + name) }
            FileSystem.removeDirectory(directory)
            FileSystem.remove(directory)
            FileSystem.removeDirectory(root)
        }
        let store = StreamStateStore(directory: directory, log: LogSink(minimumLevel: .error))
        try store.save(file: "/run/a", request: Array("{}".utf8))
        let found = try store.saved()
        #expect(found.records.map(\.request) == [Array("{}".utf8)] && found.unreadable == 0)

        // The directory replaced by a file: listing fails with ENOTDIR.
        #expect(rename(directory, root + "/moved") == 0)
        try FileSystem.writeAtomically(directory, [])
        #expect(throws: (any Error).self) { try store.saved() }
        FileSystem.remove(directory)
        #expect(rename(root + "/moved", directory) == 0)
        #expect(try store.saved().records.count == 1)
    }
}
