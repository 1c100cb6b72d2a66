import COpenSSL

/// Watches the handshake messages the server sends, for a fact OpenSSL's API does not
/// give a client directly: whether the server asked for a client certificate.
final class HandshakeObserver {
    private(set) var certificateRequested = false

    /// Installs the observer on `ssl`; `self` must outlive the session.
    func attach(to ssl: OpaquePointer) {
        SSL_set_msg_callback(ssl, observeTLSMessage)
        _ = logship_SSL_set_msg_callback_arg(ssl, Unmanaged.passUnretained(self).toOpaque())
    }

    fileprivate func received(handshakeType: UInt8) {
        if Int32(handshakeType) == SSL3_MT_CERTIFICATE_REQUEST { certificateRequested = true }
    }
}

/// OpenSSL's message callback: called on the session's own thread for every
/// protocol message sent or received; a handshake message starts with its type byte.
private func observeTLSMessage(_ isWrite: Int32, _ version: Int32, _ contentType: Int32, _ message: UnsafeRawPointer?,
                               _ length: Int, _ ssl: OpaquePointer?, _ observer: UnsafeMutableRawPointer?) {
    guard isWrite == 0, contentType == SSL3_RT_HANDSHAKE, length > 0, let message, let observer else { return }
    Unmanaged<HandshakeObserver>.fromOpaque(observer).takeUnretainedValue()
        .received(handshakeType: message.load(as: UInt8.self))
}
