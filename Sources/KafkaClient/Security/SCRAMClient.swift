import Crypto
import _CryptoExtras
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
struct SCRAMClient: Sendable {
    enum Hash: Sendable {
        case sha256, sha512

        var byteCount: Int { self == .sha256 ? 32 : 64 }
    }

    /// Kafka refuses fewer iterations than this, and so does its Java client.
    static let minimumIterations = 4096

    let hash: Hash
    let username: String
    let password: String
    let clientNonce: String
    private var clientFirstBare = ""
    private var expectedServerSignature: [UInt8]?

    /// - Parameter clientNonce: random by default; fixed only in tests that replay RFC 7677's example.
    init(hash: Hash, username: String, password: String, clientNonce: String? = nil) {
        self.hash = hash
        self.username = username
        self.password = password
        self.clientNonce = clientNonce ?? Self.randomNonce()
    }

    /// `n,,n=<user>,r=<nonce>`: no channel binding, no authorization identity.
    mutating func firstMessage() -> [UInt8] {
        clientFirstBare = "n=\(Self.escaped(username)),r=\(clientNonce)"
        return Array(("n,," + clientFirstBare).utf8)
    }

    /// Answers the server's first message with the proof.
    mutating func finalMessage(answering serverFirst: [UInt8]) throws(SCRAMError) -> [UInt8] {
        let serverFirstText = String(decoding: serverFirst, as: UTF8.self)
        let attributes = Self.attributes(serverFirstText)
        if let error = attributes["e"] { throw .refused(error) }
        guard let nonce = attributes["r"], let saltText = attributes["s"], let iterationText = attributes["i"] else {
            throw .malformed("server-first message lacks r, s or i: '\(serverFirstText)'")
        }
        guard nonce.hasPrefix(clientNonce), nonce.count > clientNonce.count else {
            throw .malformed("the server's nonce does not extend the client's")
        }
        guard let salt = Data(base64Encoded: saltText), !salt.isEmpty else { throw .malformed("salt is not base64") }
        guard let iterations = Int(iterationText), iterations >= Self.minimumIterations else {
            throw .malformed("\(iterationText) iterations; at least \(Self.minimumIterations) are required")
        }

        let saltedPassword = try saltedPassword(salt: Array(salt), iterations: iterations)
        let clientKey = hmac(key: saltedPassword, Array("Client Key".utf8))
        let storedKey = digest(clientKey)
        let finalWithoutProof = "c=biws,r=\(nonce)"
        let authMessage = Array("\(clientFirstBare),\(serverFirstText),\(finalWithoutProof)".utf8)
        let clientSignature = hmac(key: storedKey, authMessage)
        let proof = zip(clientKey, clientSignature).map { $0 ^ $1 }
        let serverKey = hmac(key: saltedPassword, Array("Server Key".utf8))
        expectedServerSignature = hmac(key: serverKey, authMessage)
        return Array("\(finalWithoutProof),p=\(Data(proof).base64EncodedString())".utf8)
    }

    /// Checks the server's signature: a server that does not know the password cannot make it.
    func verify(serverFinal: [UInt8]) throws(SCRAMError) {
        let attributes = Self.attributes(String(decoding: serverFinal, as: UTF8.self))
        if let error = attributes["e"] { throw .refused(error) }
        guard let expected = expectedServerSignature else { throw .malformed("server-final before server-first") }
        guard let signature = attributes["v"].flatMap({ Data(base64Encoded: $0) }) else {
            throw .malformed("server-final message lacks its signature")
        }
        guard Array(signature) == expected else { throw .serverSignatureMismatch }
    }

    // MARK: Primitives

    private func saltedPassword(salt: [UInt8], iterations: Int) throws(SCRAMError) -> [UInt8] {
        do {
            let key = try KDF.Insecure.PBKDF2.deriveKey(
                from: Array(password.utf8), salt: salt, using: hash == .sha256 ? .sha256 : .sha512,
                outputByteCount: hash.byteCount, unsafeUncheckedRounds: iterations)
            return key.withUnsafeBytes { Array($0) }
        } catch {
            throw .malformed("PBKDF2 failed: \(error)")
        }
    }

    private func hmac(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        let symmetricKey = SymmetricKey(data: key)
        switch hash {
        case .sha256: return Array(HMAC<SHA256>.authenticationCode(for: data, using: symmetricKey))
        case .sha512: return Array(HMAC<SHA512>.authenticationCode(for: data, using: symmetricKey))
        }
    }

    private func digest(_ data: [UInt8]) -> [UInt8] {
        switch hash {
        case .sha256: return Array(SHA256.hash(data: data))
        case .sha512: return Array(SHA512.hash(data: data))
        }
    }

    /// `a=1,b=2` into its attributes; values may themselves contain `=` (base64).
    static func attributes(_ message: String) -> [String: String] {
        var result: [String: String] = [:]
        for part in message.split(separator: ",") {
            guard let equals = part.firstIndex(of: "="), part.distance(from: part.startIndex, to: equals) == 1 else { continue }
            result[String(part[..<equals])] = String(part[part.index(after: equals)...])
        }
        return result
    }

    /// RFC 5802's saslname: `=` and `,` written as `=3D` and `=2C`.
    static func escaped(_ name: String) -> String {
        name.replacingOccurrences(of: "=", with: "=3D").replacingOccurrences(of: ",", with: "=2C")
    }

    private static func randomNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<24).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
    }
}

/// Why a SCRAM exchange failed.
enum SCRAMError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    /// The server sent `e=...`.
    case refused(String)
    /// The server's signature is wrong: it does not know the password (or is not the server).
    case serverSignatureMismatch

    var description: String {
        switch self {
        case let .malformed(reason): return "SCRAM: \(reason)"
        case let .refused(reason): return "SCRAM: the broker refused: \(reason)"
        case .serverSignatureMismatch: return "SCRAM: the broker's signature is wrong (it does not know the password)"
        }
    }
}
