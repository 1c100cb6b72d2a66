import FuzzSupport
import Glibc

/// One directory per fuzzing process, emptied at the start of each run; in /dev/shm
/// when there is one, so runs cost no disk writes. Removed when the process exits
/// (libFuzzer ends a run with exit), so runs leave nothing behind in memory.
private let directory: String = {
    let base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp"
    atexit {
        HarnessFiles.reset(directory)
        rmdir(directory)
    }
    return "\(base)/logship-fuzz-spool-\(getpid())"
}()

/// libFuzzer entry point: the input chooses a spool to write through the real API
/// (`WrittenSpool`), the damage done to its files (`DamagedSpool`), and how big the
/// reads are; recovery and reading it back must hold `RecoveryCheck`'s properties.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSpool(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = fuzzInput(data, size)
    HarnessFiles.reset(directory)
    var input = InputBytes(bytes)
    let written = WrittenSpool.write(in: directory, &input)
    let damaged = DamagedSpool(written, directory: directory, &input)
    RecoveryCheck(directory: directory, written: written, damaged: damaged,
                  readBytes: 1 << Int(inputHash(bytes) % 12)).run()
    return 0
}
