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

extension FileDescriptor {
    /// Writes three buffers back to back with as few `writev` calls as the kernel
    /// allows (a spool record: header, lengths, payload), without allocating.
    public func writeAll(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer, _ third: UnsafeRawBufferPointer) throws {
        func vector(_ b: UnsafeRawBufferPointer) -> iovec { iovec(iov_base: UnsafeMutableRawPointer(mutating: b.baseAddress), iov_len: b.count) }
        var vectors = (vector(first), vector(second), vector(third))
        try withUnsafeMutableBytes(of: &vectors) { raw in
            let all = raw.bindMemory(to: iovec.self)
            var index = 0
            while index < all.count {
                if all[index].iov_len == 0 { index += 1; continue }
                let written = retryingEINTR { Glibc.writev(rawValue, all.baseAddress! + index, Int32(all.count - index)) }
                guard written >= 0 else { throw SystemError.current("writev", context: description) }
                var remaining = written
                while index < all.count && remaining >= all[index].iov_len {
                    remaining -= all[index].iov_len
                    index += 1
                }
                if remaining > 0 {
                    all[index].iov_base = all[index].iov_base! + remaining
                    all[index].iov_len -= remaining
                }
            }
        }
    }

    /// Reads exactly `buffer.count` bytes at `offset`; fewer only at end of file.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws -> Int {
        var total = 0
        while total < buffer.count {
            let n = retryingEINTR { pread(rawValue, buffer.baseAddress! + total, buffer.count - total, off_t(offset + total)) }
            guard n >= 0 else { throw SystemError.current("pread", context: description) }
            if n == 0 { break }
            total += n
        }
        return total
    }

    public func size() throws -> Int {
        var info = stat()
        guard fstat(rawValue, &info) == 0 else { throw SystemError.current("fstat", context: description) }
        return Int(info.st_size)
    }

    public func truncate(to length: Int) throws {
        guard ftruncate(rawValue, off_t(length)) == 0 else { throw SystemError.current("ftruncate", context: description) }
    }

    public func sync() throws {
        guard fdatasync(rawValue) == 0 else { throw SystemError.current("fdatasync", context: description) }
    }

    /// Writes `bytes` at `offset` (the spool's read cursor is rewritten in place).
    public func write(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        var total = 0
        while total < bytes.count {
            let n = retryingEINTR { pwrite(rawValue, bytes.baseAddress! + total, bytes.count - total, off_t(offset + total)) }
            guard n >= 0 else { throw SystemError.current("pwrite", context: description) }
            total += n
        }
    }
}
