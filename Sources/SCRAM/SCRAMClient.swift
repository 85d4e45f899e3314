import Foundation

/// The client's side of a SCRAM-SHA-256 or SCRAM-SHA-512 exchange (RFC 5802,
/// RFC 7677), as Kafka uses it inside SaslAuthenticate. A plain value: it
/// builds messages and checks answers; the connection carries them.
///
/// ```
/// client-first  n,,n=<user>,r=<client nonce>
/// server-first  r=<client nonce + server nonce>,s=<base64 salt>,i=<iterations>
/// client-final  c=biws,r=<nonce>,p=<base64 proof>
/// server-final  v=<base64 server signature>     (or e=<error>)
/// ```
///
/// The proof shows the client knows the password without sending it; the
/// server signature shows the server knows it too, so a broker impersonating
/// the real one is caught.
public struct SCRAMClient: Sendable {
    public let hash: SCRAMHash
    public let username: String
    public let password: String
    public let clientNonce: String
    private var clientFirstBare = ""
    private var expectedServerSignature: [UInt8]?

    /// - Parameter clientNonce: random by default; fixed only in tests that replay RFC 7677's example.
    public init(hash: SCRAMHash, username: String, password: String, clientNonce: String? = nil) {
        self.hash = hash
        self.username = username
        self.password = password
        self.clientNonce = clientNonce ?? SCRAMHash.randomNonce()
    }

    /// `n,,n=<user>,r=<nonce>`: no channel binding, no authorization identity.
    public mutating func firstMessage() -> [UInt8] {
        clientFirstBare = "n=\(SCRAMHash.escaped(username)),r=\(clientNonce)"
        return Array(("n,," + clientFirstBare).utf8)
    }

    /// Answers the server's first message with the proof.
    public mutating func finalMessage(answering serverFirst: [UInt8]) throws(SCRAMError) -> [UInt8] {
        let serverFirstText = String(decoding: serverFirst, as: UTF8.self)
        let attributes = SCRAMHash.attributes(serverFirstText)
        if let error = attributes["e"] { throw .refused(error) }
        guard let nonce = attributes["r"], let saltText = attributes["s"], let iterationText = attributes["i"] else {
            throw .malformed("server-first message lacks r, s or i: '\(serverFirstText)'")
        }
        guard nonce.hasPrefix(clientNonce), nonce.count > clientNonce.count else {
            throw .malformed("the server's nonce does not extend the client's")
        }
        guard let salt = Data(base64Encoded: saltText), !salt.isEmpty else { throw .malformed("salt is not base64") }
        guard let iterations = Int(iterationText), iterations >= SCRAMHash.minimumIterations else {
            throw .malformed("\(iterationText) iterations; at least \(SCRAMHash.minimumIterations) are required")
        }

        let keys = try hash.keys(password: password, salt: Array(salt), iterations: iterations)
        let finalWithoutProof = "c=biws,r=\(nonce)"
        let authMessage = Array("\(clientFirstBare),\(serverFirstText),\(finalWithoutProof)".utf8)
        let clientSignature = hash.hmac(key: keys.storedKey, authMessage)
        let proof = zip(keys.clientKey, clientSignature).map { $0 ^ $1 }
        expectedServerSignature = hash.hmac(key: keys.serverKey, authMessage)
        return Array("\(finalWithoutProof),p=\(Data(proof).base64EncodedString())".utf8)
    }

    /// Checks the server's signature: a server that does not know the password cannot make it.
    public func verify(serverFinal: [UInt8]) throws(SCRAMError) {
        let attributes = SCRAMHash.attributes(String(decoding: serverFinal, as: UTF8.self))
        if let error = attributes["e"] { throw .refused(error) }
        guard let expected = expectedServerSignature else { throw .malformed("server-final before server-first") }
        guard let signature = attributes["v"].flatMap({ Data(base64Encoded: $0) }) else {
            throw .malformed("server-final message lacks its signature")
        }
        guard Array(signature) == expected else { throw .serverSignatureMismatch }
    }
}

/// Why a SCRAM exchange failed.
public enum SCRAMError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    /// The server sent `e=...`.
    case refused(String)
    /// The server's signature is wrong: it does not know the password (or is not the server).
    case serverSignatureMismatch

    public var description: String {
        switch self {
        case let .malformed(reason): return "SCRAM: \(reason)"
        case let .refused(reason): return "SCRAM: the broker refused: \(reason)"
        case .serverSignatureMismatch: return "SCRAM: the broker's signature is wrong (it does not know the password)"
        }
    }
}
