import Glibc

/// Reads and writes at offsets, and the file-level calls (size, truncate, sync): what
/// the spool's segment and cursor files need.
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
