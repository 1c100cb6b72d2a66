import Glibc

/// Changes to the entries of one directory, seen through inotify. The watch is on the
/// directory, not on a file in it: an editor that renames the old file away and writes a
/// new one, and a configuration tool that renames a finished temporary file over the old
/// one, both replace the file's inode, which a watch on the file itself would lose.
///
/// The watcher that made it owns its descriptor and closes it.
public struct DirectoryWatch: Sendable {
    /// Readable when events are pending (poll it together with a `StopSignal`).
    public let descriptor: FileDescriptor
    public let directory: String

    /// One change inotify reported.
    public struct Event: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            /// A file opened for writing was closed.
            case written
            /// An entry appeared (a new file is usually still being written).
            case created
            case deleted
            /// Renamed into the directory (an atomic replace ends this way) or out of it.
            case movedIn, movedOut
            case attributesChanged
            /// The directory itself was deleted, renamed or unmounted: the watch is dead,
            /// and the path may now name another directory.
            case directoryGone
        }

        public var kind: Kind
        /// The entry's name in the directory; empty for `directoryGone`.
        public var name: String
    }

    private static let entryMask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB)
    private static let goneMask = UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT)

    public init(directory: String) throws {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw SystemError.current("inotify_init1", context: directory) }
        let descriptor = FileDescriptor(rawValue: fd)
        let mask = Self.entryMask | UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
        guard inotify_add_watch(fd, directory, mask) >= 0 else {
            let failure = SystemError.current("inotify_add_watch", context: directory)
            descriptor.close()
            throw failure
        }
        self.descriptor = descriptor
        self.directory = directory
    }

    /// Every pending event, without waiting; none pending gives none.
    public func drain() throws -> [Event] {
        var events: [Event] = []
        // Room for many events at once; each is a 16-byte header and a padded name.
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { raw in retryingEINTR { read(descriptor.rawValue, raw.baseAddress, raw.count) } }
            if n < 0 {
                if errno == EAGAIN { return events }
                throw SystemError.current("read", context: "inotify \(directory)")
            }
            var offset = 0
            while offset + 16 <= n {
                let (mask, nameLength) = buffer.withUnsafeBytes { raw in
                    (raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self),
                     Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)))
                }
                let name = String(decoding: buffer[(offset + 16)..<min(offset + 16 + nameLength, n)].prefix { $0 != 0 }, as: UTF8.self)
                offset += 16 + nameLength
                if mask & Self.goneMask != 0 {
                    events.append(Event(kind: .directoryGone, name: ""))
                    continue
                }
                let kinds: [(Int32, Event.Kind)] = [(IN_CLOSE_WRITE, .written), (IN_CREATE, .created), (IN_DELETE, .deleted),
                                                    (IN_MOVED_TO, .movedIn), (IN_MOVED_FROM, .movedOut), (IN_ATTRIB, .attributesChanged)]
                for (bit, kind) in kinds where mask & UInt32(bit) != 0 { events.append(Event(kind: kind, name: name)) }
            }
        }
    }

    public func close() {
        descriptor.close()
    }
}
