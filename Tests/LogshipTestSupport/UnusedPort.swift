/// A loopback TCP port that nothing listens on now: one a receiver had, then closed.
/// For "the receiver is down" (a connect is refused); a receiver may come up on it later.
public func unusedPort() throws -> UInt16 {
    let probe = try StreamReceiver()
    probe.close()
    return probe.port
}
