import Crypto
import Foundation
import _CryptoExtras

/// The hash of a SCRAM mechanism and the key derivations RFC 5802 builds on it,
/// shared by the client (`SCRAMClient`) and the server (`SCRAMServer`) sides.
public enum SCRAMHash: String, Sendable, CaseIterable {
    case sha256 = "SCRAM-SHA-256"
    case sha512 = "SCRAM-SHA-512"

    public var mechanism: String { rawValue }
    var byteCount: Int { self == .sha256 ? 32 : 64 }

    /// Kafka refuses fewer iterations than this, and so does its Java client.
    public static let minimumIterations = 4096

    /// What a password turns into. A server keeps only `storedKey` and `serverKey` (with the salt).
    public struct Keys: Sendable {
        public var clientKey: [UInt8]
        public var storedKey: [UInt8]
        public var serverKey: [UInt8]
    }

    /// SaltedPassword = PBKDF2(password, salt, iterations); ClientKey = HMAC(SaltedPassword, "Client Key");
    /// StoredKey = H(ClientKey); ServerKey = HMAC(SaltedPassword, "Server Key").
    public func keys(password: String, salt: [UInt8], iterations: Int) throws(SCRAMError) -> Keys {
        let salted: [UInt8]
        do {
            let key = try KDF.Insecure.PBKDF2.deriveKey(
                from: Array(password.utf8), salt: salt, using: self == .sha256 ? .sha256 : .sha512,
                outputByteCount: byteCount, unsafeUncheckedRounds: iterations)
            salted = key.withUnsafeBytes { Array($0) }
        } catch {
            throw .malformed("PBKDF2 failed: \(error)")
        }
        let clientKey = hmac(key: salted, Array("Client Key".utf8))
        return Keys(
            clientKey: clientKey, storedKey: digest(clientKey), serverKey: hmac(key: salted, Array("Server Key".utf8)))
    }

    public func hmac(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        let symmetricKey = SymmetricKey(data: key)
        switch self {
        case .sha256: return Array(HMAC<SHA256>.authenticationCode(for: data, using: symmetricKey))
        case .sha512: return Array(HMAC<SHA512>.authenticationCode(for: data, using: symmetricKey))
        }
    }

    public func digest(_ data: [UInt8]) -> [UInt8] {
        switch self {
        case .sha256: return Array(SHA256.hash(data: data))
        case .sha512: return Array(SHA512.hash(data: data))
        }
    }

    /// `a=1,b=2` into its attributes; values may themselves contain `=` (base64).
    public static func attributes(_ message: String) -> [String: String] {
        var result: [String: String] = [:]
        for part in message.split(separator: ",") {
            guard let equals = part.firstIndex(of: "="), part.distance(from: part.startIndex, to: equals) == 1 else {
                continue
            }
            result[String(part[..<equals])] = String(part[part.index(after: equals)...])
        }
        return result
    }

    /// RFC 5802's saslname: `=` and `,` written as `=3D` and `=2C`.
    public static func escaped(_ name: String) -> String {
        name.replacingOccurrences(of: "=", with: "=3D").replacingOccurrences(of: ",", with: "=2C")
    }

    public static func unescaped(_ name: String) -> String {
        name.replacingOccurrences(of: "=2C", with: ",").replacingOccurrences(of: "=3D", with: "=")
    }

    public static func randomNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<24).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
    }

    public static func randomSalt() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
