import COpenSSL
import Foundation
import MedStoreProtocol

/// An OpenSSL server context: certificate chain and key from PEM files, TLS 1.2 minimum,
/// OpenSSL's default cipher choices. Shared by every connection (OpenSSL 3 contexts are
/// thread-safe once configured).
final class TLSContext: @unchecked Sendable {
    private let context: OpaquePointer

    /// Loads and checks the certificate and key; throws `invalidArgument` with OpenSSL's reason.
    init(_ configuration: TLSConfiguration) throws(MedStoreError) {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw MedStoreError(.internal, "cannot create a TLS context: \(TLSContext.lastError())")
        }
        self.context = context
        guard SSL_CTX_ctrl(context, SSL_CTRL_SET_MIN_PROTO_VERSION, Int(TLS1_2_VERSION), nil) == 1 else {
            throw MedStoreError(.internal, "cannot require TLS 1.2: \(TLSContext.lastError())")
        }
        guard SSL_CTX_use_certificate_chain_file(context, configuration.certificatePath) == 1 else {
            throw MedStoreError(.invalidArgument, "cannot load the TLS certificate \(configuration.certificatePath): \(TLSContext.lastError()); expected a PEM certificate (chain)")
        }
        guard SSL_CTX_use_PrivateKey_file(context, configuration.privateKeyPath, SSL_FILETYPE_PEM) == 1 else {
            throw MedStoreError(.invalidArgument, "cannot load the TLS private key \(configuration.privateKeyPath): \(TLSContext.lastError()); expected an unencrypted PEM key")
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw MedStoreError(.invalidArgument, "the TLS private key \(configuration.privateKeyPath) does not match the certificate \(configuration.certificatePath)")
        }
    }

    deinit {
        SSL_CTX_free(context)
    }

    /// Runs the server handshake on `fd` (bounded by the socket's timeouts).
    func accept(fd: Int32) throws(TransportError) -> TLSTransport {
        ERR_clear_error()
        guard let ssl = SSL_new(context) else { throw .failed("SSL_new failed: \(TLSContext.lastError())") }
        let transport = TLSTransport(fd: fd, ssl: ssl)
        guard SSL_set_fd(ssl, fd) == 1 else { throw .failed("SSL_set_fd failed: \(TLSContext.lastError())") }
        while true {
            ERR_clear_error()
            errno = 0
            let rc = SSL_accept(ssl)
            if rc == 1 { return transport }
            let failure = transport.classify(rc)
            if let failure { throw failure }
        }
    }

    /// The oldest queued OpenSSL error as text (and clears the queue).
    static func lastError() -> String {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return "no detail from OpenSSL" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
