import Glibc
import Testing
@testable import LogshipSystem

/// The routes watcher relies on these events to see a routes file replaced the ways
/// editors and configuration tools replace files.
@Suite struct DirectoryWatchTests {
    private func scratch(_ name: String) throws -> String {
        let path = "/tmp/logship-watch-test-\(getpid())-\(name)-\(MonotonicClock.now())"
        try FileSystem.makeDirectory(path)
        return path
    }

    private func events(_ watch: DirectoryWatch) throws -> [DirectoryWatch.Event] {
        guard try watch.descriptor.wait(for: .readable, until: MonotonicClock.now() + 2_000_000_000) else { return [] }
        return try watch.drain()
    }

    @Test func writesRenamesAndDeletionsAreSeenWithTheirNames() throws {
        let directory = try scratch("events")
        defer { FileSystem.remove(directory + "/routes.conf"); FileSystem.remove(directory + "/routes.conf~"); FileSystem.removeDirectory(directory) }
        let watch = try DirectoryWatch(directory: directory)
        defer { watch.close() }
        #expect(try watch.drain().isEmpty)

        // A configuration tool: write a temporary file, rename it over the old one.
        try FileSystem.writeAtomically(directory + "/routes.conf", Array("[route a]\n".utf8))
        let replace = try events(watch)
        #expect(replace.contains(.init(kind: .written, name: "routes.conf.tmp")))
        #expect(replace.contains(.init(kind: .movedIn, name: "routes.conf")))

        // An editor: rename the old file away, write a new one in its place.
        #expect(rename(directory + "/routes.conf", directory + "/routes.conf~") == 0)
        let file = try FileDescriptor.open(directory + "/routes.conf", [.writeOnly, .create, .truncate])
        try file.writeAll(Array("[route b]\n".utf8))
        file.close()
        var edit = try events(watch)
        while !edit.contains(.init(kind: .written, name: "routes.conf")), let more = try? events(watch), !more.isEmpty { edit += more }
        #expect(edit.contains(.init(kind: .movedOut, name: "routes.conf")))
        #expect(edit.contains(.init(kind: .movedIn, name: "routes.conf~")))
        #expect(edit.contains(.init(kind: .created, name: "routes.conf")))
        #expect(edit.contains(.init(kind: .written, name: "routes.conf")))

        FileSystem.remove(directory + "/routes.conf~")
        #expect(try events(watch) == [.init(kind: .deleted, name: "routes.conf~")])
    }

    @Test func theDirectoryGoingAwayIsReported() throws {
        let directory = try scratch("gone")
        let watch = try DirectoryWatch(directory: directory)
        defer { watch.close() }
        FileSystem.removeDirectory(directory)
        #expect(try events(watch).contains(.init(kind: .directoryGone, name: "")))
        #expect(throws: SystemError.self) { try DirectoryWatch(directory: directory) }
    }
}
