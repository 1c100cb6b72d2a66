// The system OpenSSL (libssl-dev to build; libssl3 at run time, copied into the plugin
// rootfs by plugin/build-rootfs.sh), as one Swift module.
//
// Swift imports OpenSSL's functions and constant macros, but not its function-like
// macros: the few logship calls are wrapped below as static inline functions, named
// after the macro with a `logship_` prefix.
#ifndef LOGSHIP_COPENSSL_SHIM_H
#define LOGSHIP_COPENSSL_SHIM_H

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static inline int logship_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

static inline int logship_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}

static inline long logship_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}

static inline int logship_SSL_CTX_add1_chain_cert(SSL_CTX *ctx, X509 *certificate) {
    return (int)SSL_CTX_add1_chain_cert(ctx, certificate);
}

static inline int logship_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

static inline long logship_SSL_set_msg_callback_arg(SSL *ssl, void *arg) {
    return SSL_set_msg_callback_arg(ssl, arg);
}

#endif
