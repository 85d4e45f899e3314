import Crypto
import SQLValues

/// The hash functions of Flink SQL: MD5, SHA1 and the SHA-2 family (SHA2(text, 256) and
/// SHA256(text) are the same), each of a string's UTF-8 bytes as lowercase hexadecimal.
/// SHA-224 is missing: swift-crypto has no SHA-224.
package enum HashFunction: Sendable {
    case md5, sha1, sha256, sha384, sha512

    /// The digest of SHA2's `bits` (256, 384 or 512).
    init?(sha2Bits bits: Int64) {
        switch bits {
        case 256: self = .sha256
        case 384: self = .sha384
        case 512: self = .sha512
        default: return nil
        }
    }

    func hex(of bytes: [UInt8]) -> String {
        switch self {
        case .md5: ValueFormatter.hex(Insecure.MD5.hash(data: bytes))
        case .sha1: ValueFormatter.hex(Insecure.SHA1.hash(data: bytes))
        case .sha256: ValueFormatter.hex(SHA256.hash(data: bytes))
        case .sha384: ValueFormatter.hex(SHA384.hash(data: bytes))
        case .sha512: ValueFormatter.hex(SHA512.hash(data: bytes))
        }
    }
}
