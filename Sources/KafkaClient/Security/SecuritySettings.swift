import NIOSSL

/// How connections are secured, by the property names librdkafka and the Java client use:
///
/// - `security.protocol`: `PLAINTEXT` (default), `SSL`, `SASL_PLAINTEXT` or `SASL_SSL`;
/// - `sasl.mechanism` (librdkafka also `sasl.mechanisms`): `PLAIN`, `SCRAM-SHA-256` or
///   `SCRAM-SHA-512`, with `sasl.username` and `sasl.password`;
/// - `ssl.ca.location`: PEM file of the CAs to trust (default: the system's);
///   `ssl.certificate.location` and `ssl.key.location`: a client certificate (mutual TLS);
///   `enable.ssl.certificate.verification` (true) and `ssl.endpoint.identification.algorithm`
///   (`https`, the default: the certificate must name the broker's host; `none`: any name).
struct SecuritySettings: Sendable {
    enum SASLMechanism: String, Sendable, CaseIterable {
        case plain = "PLAIN"
        case scramSHA256 = "SCRAM-SHA-256"
        case scramSHA512 = "SCRAM-SHA-512"
    }

    struct SASLCredentials: Sendable {
        var mechanism: SASLMechanism
        var username: String
        var password: String
    }

    /// nil: no TLS.
    var tls: TLSConfiguration?
    /// nil: no SASL.
    var sasl: SASLCredentials?

    init(config: ClientConfig) throws(KafkaClientError) {
        let securityProtocol = (config["security.protocol"] ?? "PLAINTEXT").uppercased()
        let usesTLS: Bool, usesSASL: Bool
        switch securityProtocol {
        case "PLAINTEXT": (usesTLS, usesSASL) = (false, false)
        case "SSL": (usesTLS, usesSASL) = (true, false)
        case "SASL_PLAINTEXT": (usesTLS, usesSASL) = (false, true)
        case "SASL_SSL": (usesTLS, usesSASL) = (true, true)
        default:
            throw .configuration(
                "security.protocol must be PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL, not '\(securityProtocol)'")
        }
        if usesTLS { tls = try Self.tlsConfiguration(config) }
        if usesSASL { sasl = try Self.credentials(config) }
        if config["ssl.truststore.location"] != nil || config["ssl.keystore.location"] != nil {
            throw .configuration(
                "Java keystores are not read: give PEM files as ssl.ca.location, ssl.certificate.location and ssl.key.location"
            )
        }
    }

    private static func credentials(_ config: ClientConfig) throws(KafkaClientError) -> SASLCredentials {
        let name = (config["sasl.mechanism"] ?? config["sasl.mechanisms"] ?? "PLAIN").uppercased()
        guard let mechanism = SASLMechanism(rawValue: name) else {
            throw .configuration("sasl.mechanism \(name) is not supported (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512)")
        }
        guard let username = config["sasl.username"], let password = config["sasl.password"] else {
            throw .configuration("SASL needs sasl.username and sasl.password")
        }
        return SASLCredentials(mechanism: mechanism, username: username, password: password)
    }

    private static func tlsConfiguration(_ config: ClientConfig) throws(KafkaClientError) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let ca = config["ssl.ca.location"] { tls.trustRoots = .file(ca) }
        if let certificate = config["ssl.certificate.location"] {
            guard let key = config["ssl.key.location"] else {
                throw .configuration("ssl.certificate.location needs ssl.key.location")
            }
            do {
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            } catch {
                throw .configuration("cannot read the client certificate or key: \(error)")
            }
        }
        let verify = (config["enable.ssl.certificate.verification"] ?? "true").lowercased() != "false"
        let checkHostname = (config["ssl.endpoint.identification.algorithm"] ?? "https").lowercased() != "none"
        tls.certificateVerification = !verify ? .none : checkHostname ? .fullVerification : .noHostnameVerification
        return tls
    }
}
