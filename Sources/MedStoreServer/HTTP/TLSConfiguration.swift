/// Where the HTTPS listener finds its certificate and private key (PEM files). The server
/// accepts TLS 1.2 and newer only.
public struct TLSConfiguration: Sendable, Equatable {
    /// PEM certificate, optionally followed by its intermediate chain.
    public var certificatePath: String
    /// PEM private key matching the certificate (unencrypted).
    public var privateKeyPath: String

    /// A configuration reading the two PEM files when the server starts.
    public init(certificatePath: String, privateKeyPath: String) {
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
    }
}
