/// Why bytes could not be decoded as (or encoded to) Kafka's wire format.
///
/// Every case says where in the input it happened, so a bad frame from a
/// client can be reported precisely and then dropped without harm.
public enum ProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended before a value that needed `needed` bytes at `offset`.
    case truncated(offset: Int, needed: Int, remaining: Int)
    /// A length, count or size is negative where that is not allowed, or larger than the input holds.
    case invalidLength(offset: Int, length: Int64)
    /// A frame or decompressed block is larger than the configured cap.
    case exceedsLimit(what: String, size: Int64, limit: Int64)
    /// A varint ran past its maximum width.
    case malformedVarint(offset: Int)
    /// A non-nullable string, bytes, array or struct was written as null.
    case unexpectedNull(offset: Int)
    /// Bytes were left over after a complete message or a tagged field.
    case trailingBytes(offset: Int, count: Int)
    /// The API key or version is not one this codec knows.
    case unsupportedVersion(apiKey: Int16, version: Int16)
    /// A record batch's CRC does not match its contents.
    case checksumMismatch(offset: Int, stored: UInt32, computed: UInt32)
    /// A record batch or message set uses a magic byte this codec does not read.
    case unsupportedMagic(offset: Int, magic: Int8)
    /// A record batch is inconsistent with itself (for example, fewer records than its count).
    case corruptRecordBatch(offset: Int, reason: String)
    /// A compressed block could not be compressed or decompressed.
    case compression(CompressionError)

    public var description: String {
        switch self {
        case let .truncated(offset, needed, remaining):
            return "input ends at byte \(offset + remaining): \(needed) bytes needed at byte \(offset)"
        case let .invalidLength(offset, length):
            return "invalid length \(length) at byte \(offset)"
        case let .exceedsLimit(what, size, limit):
            return "\(what) of \(size) bytes exceeds the limit of \(limit) bytes"
        case let .malformedVarint(offset):
            return "malformed varint at byte \(offset)"
        case let .unexpectedNull(offset):
            return "null where a value is required at byte \(offset)"
        case let .trailingBytes(offset, count):
            return "\(count) unexpected bytes after the message at byte \(offset)"
        case let .unsupportedVersion(apiKey, version):
            return "API key \(apiKey) version \(version) is not supported"
        case let .checksumMismatch(offset, stored, computed):
            return "record batch at byte \(offset) has CRC \(hex(stored)) but its contents give \(hex(computed))"
        case let .unsupportedMagic(offset, magic):
            return "unsupported record magic \(magic) at byte \(offset)"
        case let .corruptRecordBatch(offset, reason):
            return "corrupt record batch at byte \(offset): \(reason)"
        case let .compression(error):
            return error.description
        }
    }
}

private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}
