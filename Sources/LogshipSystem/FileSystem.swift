import Glibc

/// The few filesystem operations the spool and the stream state need, as throwing
/// wrappers that name the path on failure.
public enum FileSystem {
    /// `mkdir -p`: creates `path` and its missing parents.
    public static func makeDirectory(_ path: String, mode: mode_t = 0o700) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, mode) != 0 && errno != EEXIST {
                throw SystemError.current("mkdir", context: prefix)
            }
        }
    }

    /// The names in a directory, without `.` and `..`.
    public static func listDirectory(_ path: String) throws -> [String] {
        guard let directory = opendir(path) else { throw SystemError.current("opendir", context: path) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// Whether `path` itself (a symbolic link is not followed) is a regular file.
    public static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    public static func isFIFO(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO
    }

    public static func remove(_ path: String) {
        unlink(path)
    }

    public static func removeDirectory(_ path: String) {
        rmdir(path)
    }

    /// Reads a whole (small) file.
    public static func read(_ path: String) throws -> [UInt8] {
        let descriptor = try FileDescriptor.open(path, .readOnly)
        defer { descriptor.close() }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try descriptor.read(into: $0) }
            if n == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }

    /// Why `readRegularFile` refused a path.
    public enum RegularFileError: Error, Sendable {
        case system(SystemError)
        case notRegular
        case tooLarge(limit: Int)
    }

    /// A whole regular file of at most `maxBytes`. A path that comes from outside (a
    /// container's options) may name anything: a FIFO the plugin holds open, a device.
    /// The open does not block, and anything but a regular file is refused before a
    /// single byte is read. A file that shrinks meanwhile gives what there is.
    public static func readRegularFile(_ path: String, maxBytes: Int) throws(RegularFileError) -> [UInt8] {
        let descriptor: FileDescriptor
        do {
            descriptor = try FileDescriptor.open(path, [.readOnly, .nonBlocking])
        } catch let error as SystemError {
            throw .system(error)
        } catch {
            throw .system(SystemError("open", errno: EIO, context: path))
        }
        defer { descriptor.close() }
        var info = stat()
        guard fstat(descriptor.rawValue, &info) == 0 else { throw .system(.current("fstat", context: path)) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .notRegular }
        guard Int(info.st_size) <= maxBytes else { throw .tooLarge(limit: maxBytes) }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        let got: Int
        do {
            got = try bytes.withUnsafeMutableBytes { try descriptor.read(into: $0, at: 0) }
        } catch let error as SystemError {
            throw .system(error)
        } catch {
            throw .system(SystemError("pread", errno: EIO, context: path))
        }
        return Array(bytes[..<got])
    }

    /// Replaces `path` with `bytes` atomically (write a temporary file, then rename),
    /// so a crash leaves either the old content or the new, never half of one.
    public static func writeAtomically(_ path: String, _ bytes: [UInt8]) throws {
        let temporary = path + ".tmp"
        let descriptor = try FileDescriptor.open(temporary, [.writeOnly, .create, .truncate], mode: 0o600)
        do {
            try bytes.withUnsafeBytes { try descriptor.writeAll($0) }
        } catch {
            descriptor.close()
            unlink(temporary)
            throw error
        }
        descriptor.close()
        guard rename(temporary, path) == 0 else {
            let failure = SystemError.current("rename", context: path)
            unlink(temporary)
            throw failure
        }
    }
}
