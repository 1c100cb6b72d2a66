import Glibc
import Testing
@testable import LogshipSystem

@Suite struct FileSystemTests {
    private func scratch(_ name: String) -> String {
        let path = "/tmp/logship-fs-test-\(getpid())-\(name)-\(MonotonicClock.now())"
        try! FileSystem.makeDirectory(path + "/a/b")
        return path
    }

    @Test func atomicWriteReplacesWholeAndLeavesNoTemporary() throws {
        let root = scratch("atomic")
        defer { FileSystem.remove(root + "/a/b/f"); FileSystem.removeDirectory(root + "/a/b"); FileSystem.removeDirectory(root + "/a"); FileSystem.removeDirectory(root) }
        try FileSystem.writeAtomically(root + "/a/b/f", Array("first".utf8))
        try FileSystem.writeAtomically(root + "/a/b/f", Array("second".utf8))
        #expect(try FileSystem.read(root + "/a/b/f") == Array("second".utf8))
        #expect(try FileSystem.listDirectory(root + "/a/b") == ["f"])
    }

    @Test func writevWritesEveryBufferInOrder() throws {
        let root = scratch("writev")
        let path = root + "/a/b/v"
        defer { FileSystem.remove(path); FileSystem.removeDirectory(root + "/a/b"); FileSystem.removeDirectory(root + "/a"); FileSystem.removeDirectory(root) }
        let file = try FileDescriptor.open(path, [.writeOnly, .create, .append])
        let big = [UInt8](repeating: 0x42, count: 300_000)
        try Array("head".utf8).withUnsafeBytes { a in
            try [UInt8]().withUnsafeBytes { empty in
                try big.withUnsafeBytes { b in try file.writeAll(a, empty, b) }
            }
        }
        file.close()
        #expect(try FileSystem.read(path) == Array("head".utf8) + big)
    }

    @Test func peekLeavesTheBytesInThePipe() throws {
        guard FileDescriptor.canPeekPipes else { return }
        let source = try FileDescriptor.pipe()
        let copy = try FileDescriptor.pipe()
        // The write end is closed by the test itself (to see end of file), so it is not
        // closed again here: tests run in parallel and a descriptor number is reused.
        defer { [source.read, copy.read, copy.write].forEach { $0.close() } }
        try source.write.writeAll(Array("peeked".utf8))
        #expect(try source.read.peek(into: copy.write, maxBytes: 64) == 6)
        var bytes = [UInt8](repeating: 0, count: 16)
        let fromCopy = try bytes.withUnsafeMutableBytes { try copy.read.read(into: $0) }
        #expect(Array(bytes[..<fromCopy]) == Array("peeked".utf8))
        let fromSource = try bytes.withUnsafeMutableBytes { try source.read.read(into: $0) }
        #expect(Array(bytes[..<fromSource]) == Array("peeked".utf8))
        source.write.close()
        #expect(try source.read.peek(into: copy.write, maxBytes: 64) == 0)  // end of file
    }
}
