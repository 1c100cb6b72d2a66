import Glibc
import LogshipSystem
import Testing
@testable import LogshipDelivery

@Suite struct SpoolAppendFailureTests {
    @Test(.enabled(if: geteuid() == 0, "mounting a tmpfs needs root"))
    func anAppendThatRunsOutOfSpaceLeavesTheSegmentAsItWasAndALaterOneSucceeds() throws {
        let filesystem = try SmallFilesystem(bytes: 256 * 1024)
        let directory = filesystem.path + "/spool"
        // Space that can be given back once the spool has filled the rest.
        let filler = filesystem.path + "/filler"
        try writeSegmentFile(filler, bytes: 64 * 1024)

        let spool = try Spool(directory: directory, maxBytes: 1 << 30)
        defer { spool.close() }
        let padding = String(repeating: "p", count: 9_999)
        var written: [ReadRecord] = []
        var failure: (any Error)?
        for i in 0..<100 {
            let record = ["\(i)a " + padding, "\(i)b"]
            do {
                written.append(ReadRecord(position: try spool.append(batch(record)), messages: record))
            } catch {
                failure = error
                break
            }
        }
        #expect(failure != nil, "the filesystem never filled up")
        #expect((failure as? SystemError)?.errno == ENOSPC)
        #expect(written.count > 2)
        let segment = segmentPath(directory, spool.end.segment)
        // Nothing of the failed record is left: the file ends where the spool thinks.
        #expect(try fileSize(segment) == spool.end.offset)
        #expect(throws: (any Error).self) { _ = try spool.append(batch(["still full " + padding])) }
        #expect(try fileSize(segment) == spool.end.offset)

        FileSystem.remove(filler)
        let later = ["after " + padding, "after b"]
        written.append(ReadRecord(position: try spool.append(batch(later)), messages: later))
        #expect(try readAll(spool, from: spool.firstUndelivered) == written)
        let reopened = try Spool(directory: directory, maxBytes: 1 << 30)
        defer { reopened.close() }
        #expect(reopened.recoveryProblems.isEmpty)
        #expect(try readAll(reopened, from: reopened.firstUndelivered) == written)
    }
}

private func writeSegmentFile(_ path: String, bytes: Int) throws {
    let file = try FileDescriptor.open(path, [.writeOnly, .create, .truncate], mode: 0o600)
    defer { file.close() }
    try file.writeAll([UInt8](repeating: 0x66, count: bytes))
}
