import Glibc
import LogshipSystem
import Testing
@testable import LogshipDelivery

/// A spool used after it was closed (a broken shutdown order) must fail, never write into
/// whatever file the kernel has since given the closed descriptor numbers to.
@Suite struct SpoolCloseTests {
    @Test func anAppendAfterCloseThrowsAndTouchesNoOtherFile() throws {
        let directory = temporaryDirectory()
        let spool = try Spool(directory: directory, maxBytes: 1 << 30)
        _ = try spool.append(batch(["before close"]))
        spool.close()

        // New files take the lowest free numbers: the ones the spool just closed.
        let others = try (0..<4).map { index in
            let path = directory + "/other-\(index)"
            return (path, try FileDescriptor.open(path, [.readWrite, .create, .truncate], mode: 0o600))
        }
        defer { for (_, file) in others { file.close() } }

        #expect(throws: SystemError.self) { _ = try spool.append(batch(["after close"])) }
        for (path, file) in others {
            #expect(try file.size() == 0, "\(path) got the closed spool's bytes")
        }
        #expect(throws: SystemError.self) { _ = try readAll(spool, from: spool.firstUndelivered) }
    }

    @Test func anOwnedDescriptorClosesOnceAndRefusesUseAfterwards() throws {
        let path = temporaryDirectory() + "-owned"
        let owned = OwnedDescriptor(try FileDescriptor.open(path, [.readWrite, .create], mode: 0o600), name: path)
        defer { FileSystem.remove(path) }
        #expect(owned.isOpen)
        owned.close()
        #expect(!owned.isOpen)
        let reused = try FileDescriptor.open(path, [.readWrite])
        defer { reused.close() }
        // A second close must not close the number the kernel has handed out again.
        owned.close()
        #expect(throws: Never.self) { _ = try reused.size() }
        let error = #expect(throws: SystemError.self) { _ = try owned.descriptor }
        #expect(error?.errno == EBADF)
        #expect(error?.description.contains(path) == true)
    }
}
