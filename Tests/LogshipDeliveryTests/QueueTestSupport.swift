import Glibc
import LogshipSystem
@testable import LogshipDelivery

func batch(_ messages: [String]) -> MessageBatch {
    var b = MessageBatch()
    for m in messages {
        b.bytes.append(contentsOf: m.utf8)
        b.endMessage()
    }
    return b
}

func messages(_ b: MessageBatch) -> [String] {
    (0..<b.count).map { String(decoding: b.bytes[b.start(of: $0)..<b.ends[$0]], as: UTF8.self) }
}

/// Takes everything the queue will hand out now, acknowledging as it goes.
func drain(_ queue: DeliveryQueue, acknowledge: Bool = true) -> [String] {
    var out: [String] = []
    var taken = MessageBatch()
    while queue.dequeue(into: &taken, deadline: 0) {
        out += messages(taken)
        if acknowledge { queue.acknowledge(messages: taken.count) }
        taken.removeAll()
    }
    return out
}

/// A fresh directory under /tmp for one test's spool.
func temporaryDirectory(_ name: String = #function) -> String {
    let clean = name.filter { $0.isLetter || $0.isNumber }
    let path = "/tmp/logship-spool-test-\(getpid())-\(clean)-\(MonotonicClock.now())"
    try! FileSystem.makeDirectory(path)
    return path
}

func removeTree(_ path: String) {
    for name in (try? FileSystem.listDirectory(path)) ?? [] {
        let child = path + "/" + name
        if (try? FileSystem.listDirectory(child)) != nil { removeTree(child) } else { FileSystem.remove(child) }
    }
    FileSystem.removeDirectory(path)
}

/// A directory on a tmpfs of `bytes`, mounted for one test: a disk that really fills
/// up (ENOSPC, typically in the middle of a `writev`), and can be given room again.
/// Needs root (mount); tests that use it are enabled only then.
final class SmallFilesystem {
    let path: String

    init(bytes: Int, _ name: String = #function) throws {
        path = temporaryDirectory(name)
        guard mount("tmpfs", path, "tmpfs", 0, "size=\(bytes)") == 0 else {
            let failure = SystemError.current("mount tmpfs", context: path)
            FileSystem.removeDirectory(path)
            throw failure
        }
    }

    /// Gives the filesystem `bytes` in all (more room, without touching its files).
    func resize(to bytes: Int) throws {
        guard mount("tmpfs", path, "tmpfs", UInt(MS_REMOUNT), "size=\(bytes)") == 0 else {
            throw SystemError.current("remount tmpfs", context: path)
        }
    }

    deinit {
        umount2(path, Int32(MNT_DETACH))
        FileSystem.removeDirectory(path)
    }
}
