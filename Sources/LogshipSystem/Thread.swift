import Glibc

/// Starts a detached OS thread running `body`. `name` identifies it in errors
/// (Glibc's module map does not expose pthread_setname_np).
///
/// Blocking I/O (FIFO reads, socket writes) runs on threads the plugin owns, never on
/// Swift concurrency's cooperative pool, which a blocking `read` would starve.
public func spawnThread(name: String, stackSize: Int = 512 * 1024, _ body: @escaping @Sendable () -> Void) throws {
    final class Box { let body: @Sendable () -> Void; init(_ b: @escaping @Sendable () -> Void) { body = b } }
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    pthread_attr_setstacksize(&attributes, stackSize)
    var thread = pthread_t()
    let status = pthread_create(&thread, &attributes, { raw in
        let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        box.body()
        return nil
    }, box)
    guard status == 0 else {
        Unmanaged<Box>.fromOpaque(box).release()
        throw SystemError("pthread_create", errno: status, context: name)
    }
}
