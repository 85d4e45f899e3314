/// A cursor over bytes in Kafka's wire encoding that cannot trap.
///
/// Reads past the end, hostile lengths and malformed varints do not throw at
/// each call: the first problem is recorded in `error`, every later read
/// returns a zero value without moving, and the caller checks `error` once at
/// the end (franz-go's `kbin.Reader` works the same way). Every length and count
/// is checked against the bytes that remain before anything is allocated, so a
/// 12-byte frame cannot make the decoder reserve gigabytes.
///
/// Names follow SwiftNIO: `read…` consumes bytes, `get…(at:)` does not.
/// A reader is a value: copy it to look ahead.
public struct ByteReader: Sendable {
    /// The whole input; reads happen in `position..<end`.
    public let bytes: [UInt8]
    /// Index of the next byte to read.
    public private(set) var position: Int
    /// One past the last readable byte. Narrowed by `beginLimit(_:)` while a tagged field is read.
    public private(set) var end: Int
    /// The first problem met, if any. Once set, reads return zero values.
    public private(set) var error: ProtocolError?
    /// Caps on sizes this reader will accept.
    public let limits: DecodingLimits

    public init(_ bytes: [UInt8], limits: DecodingLimits = .default) {
        self.bytes = bytes
        self.position = 0
        self.end = bytes.count
        self.limits = limits
    }

    /// A reader over `range` of `bytes`, sharing their storage.
    public init(_ bytes: [UInt8], range: Range<Int>, limits: DecodingLimits = .default) {
        precondition(range.lowerBound >= 0 && range.upperBound <= bytes.count)
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
        self.limits = limits
    }

    /// Bytes left before `end`.
    @inlinable public var remaining: Int { end - position }
    /// Whether the reader has neither bytes left nor an error.
    public var isAtEnd: Bool { position == end }

    /// Records `error` unless an earlier one is already recorded; later reads then do nothing.
    public mutating func fail(_ error: ProtocolError) {
        if self.error == nil { self.error = error }
        position = end
    }

    /// Claims `count` bytes and returns where they start, or nil (recording why) if they are not there.
    @inline(__always)
    mutating func claim(_ count: Int) -> Int? {
        guard error == nil else { return nil }
        guard count <= end - position else {
            fail(.truncated(offset: position, needed: count, remaining: end - position))
            return nil
        }
        let start = position
        position += count
        return start
    }

    @inline(__always)
    mutating func readFixed<T: FixedWidthInteger>(_: T.Type) -> T {
        guard let start = claim(MemoryLayout<T>.size) else { return 0 }
        return bytes.withUnsafeBytes { T(bigEndian: $0.loadUnaligned(fromByteOffset: start, as: T.self)) }
    }

    public mutating func readInt8() -> Int8 { readFixed(Int8.self) }
    public mutating func readUInt8() -> UInt8 { readFixed(UInt8.self) }
    public mutating func readInt16() -> Int16 { readFixed(Int16.self) }
    public mutating func readUInt16() -> UInt16 { readFixed(UInt16.self) }
    public mutating func readInt32() -> Int32 { readFixed(Int32.self) }
    public mutating func readUInt32() -> UInt32 { readFixed(UInt32.self) }
    public mutating func readInt64() -> Int64 { readFixed(Int64.self) }
    public mutating func readFloat64() -> Double { Double(bitPattern: readFixed(UInt64.self)) }
    /// Kafka's boolean: one byte, anything but zero is true.
    public mutating func readBool() -> Bool { readFixed(UInt8.self) != 0 }
    public mutating func readUUID() -> KafkaUUID {
        let high = readFixed(UInt64.self), low = readFixed(UInt64.self)
        return KafkaUUID(high: high, low: low)
    }

    /// Reads a 32-bit integer at `index` without moving; nil if it is not inside the readable range.
    public func getInt32(at index: Int) -> Int32? {
        guard index >= position, index <= end - 4 else { return nil }
        return bytes.withUnsafeBytes { Int32(bigEndian: $0.loadUnaligned(fromByteOffset: index, as: Int32.self)) }
    }

    // MARK: Varints

    /// An unsigned LEB128 varint of at most 5 bytes (compact lengths, tagged fields).
    public mutating func readUnsignedVarint() -> UInt32 {
        UInt32(truncatingIfNeeded: readVarintBits(maxBytes: 5))
    }

    /// A zig-zag signed varint of at most 5 bytes (record fields).
    public mutating func readVarint() -> Int32 {
        let raw = UInt32(truncatingIfNeeded: readVarintBits(maxBytes: 5))
        return Int32(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// A zig-zag signed varint of at most 10 bytes (record timestamps).
    public mutating func readVarlong() -> Int64 {
        let raw = readVarintBits(maxBytes: 10)
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    @inline(__always)
    private mutating func readVarintBits(maxBytes: Int) -> UInt64 {
        guard error == nil else { return 0 }
        let start = position
        let available = Swift.min(end - position, maxBytes)
        return bytes.withUnsafeBufferPointer { buffer -> UInt64 in
            var value: UInt64 = 0
            var shift: UInt64 = 0
            var index = start
            while index < start + available {
                let byte = buffer[index]
                value |= UInt64(byte & 0x7F) << shift
                index += 1
                if byte & 0x80 == 0 {
                    position = index
                    return value
                }
                shift += 7
            }
            if available < maxBytes {
                fail(.truncated(offset: start, needed: available + 1, remaining: available))
            } else {
                fail(.malformedVarint(offset: start))
            }
            return 0
        }
    }

    // MARK: Lengths

    /// Validates a decoded length against what remains; returns it as an Int, or nil for null (-1).
    @inline(__always)
    private mutating func checkedLength(_ length: Int64, at offset: Int, elementSize: Int = 1) -> Int? {
        guard error == nil else { return 0 }
        if length == -1 { return nil }
        guard length >= 0, length <= Int64(remaining / Swift.max(elementSize, 1)) else {
            if length > Int64(limits.maxFrameSize) {
                fail(.exceedsLimit(what: "length", size: length, limit: Int64(limits.maxFrameSize)))
            } else {
                fail(.invalidLength(offset: offset, length: length))
            }
            return 0
        }
        return Int(length)
    }

    /// Reads a byte-length prefix: int16 (classic strings), int32 (classic bytes) or an
    /// unsigned varint holding length + 1 (compact forms). Returns nil for null.
    mutating func readLength(compact: Bool, wide: Bool) -> Int? {
        let offset = position
        let length: Int64
        if compact {
            length = Int64(readUnsignedVarint()) - 1
        } else if wide {
            length = Int64(readInt32())
        } else {
            length = Int64(readInt16())
        }
        return checkedLength(length, at: offset)
    }

    /// Reads an array count (int32, or compact unsigned varint count + 1); nil for a null array.
    /// The count is checked against the remaining bytes (every element takes at least one).
    public mutating func readArrayCount(compact: Bool) -> Int? {
        let offset = position
        let count = compact ? Int64(readUnsignedVarint()) - 1 : Int64(readInt32())
        return checkedLength(count, at: offset)
    }

    /// Like `readArrayCount(compact:)` for an array that may not be null in this version.
    public mutating func readRequiredArrayCount(compact: Bool) -> Int {
        let offset = position
        guard let count = readArrayCount(compact: compact) else {
            fail(.unexpectedNull(offset: offset))
            return 0
        }
        return count
    }

    // MARK: Strings and bytes

    public mutating func readString(compact: Bool) -> String {
        let offset = position
        guard let value = readNullableString(compact: compact) else {
            fail(.unexpectedNull(offset: offset))
            return ""
        }
        return value
    }

    public mutating func readNullableString(compact: Bool) -> String? {
        guard let length = readLength(compact: compact, wide: false) else { return nil }
        guard let start = claim(length) else { return "" }
        return bytes.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[start..<start + length]), as: UTF8.self)
        }
    }

    public mutating func readBytes(compact: Bool) -> [UInt8] {
        let offset = position
        guard let value = readNullableBytes(compact: compact) else {
            fail(.unexpectedNull(offset: offset))
            return []
        }
        return value
    }

    public mutating func readNullableBytes(compact: Bool) -> [UInt8]? {
        guard let length = readLength(compact: compact, wide: true) else { return nil }
        return readRawBytes(length)
    }

    /// Reads `count` bytes as they are.
    public mutating func readRawBytes(_ count: Int) -> [UInt8] {
        guard let start = claim(count) else { return [] }
        return Array(bytes[start..<start + count])
    }

    /// Reads `count` bytes as a slice sharing this reader's storage (no copy).
    public mutating func readSlice(_ count: Int) -> ArraySlice<UInt8> {
        guard let start = claim(count) else { return [] }
        return bytes[start..<start + count]
    }

    /// Moves past `count` bytes.
    public mutating func skip(_ count: Int) {
        _ = claim(count)
    }

    // MARK: Tagged fields

    /// Narrows the readable range to the next `size` bytes; returns what `endLimit` needs to restore it.
    public mutating func beginLimit(_ size: Int) -> Int {
        let outerEnd = end
        if claim(size) != nil {
            position -= size
            end = position + size
        }
        return outerEnd
    }

    /// Skips whatever of the limited range is unread and restores the outer range.
    public mutating func endLimit(_ outerEnd: Int) {
        if error == nil { position = end }
        end = outerEnd
        if error != nil { position = end }
    }

    /// Reads a tagged-field section, handing each tag to `decodeKnown`, which decodes
    /// the tags it knows and returns true when the value it read differs from the
    /// field's default. Everything else — unknown tags, and known tags the sender
    /// wrote although they held the default — is returned as raw bytes, so that
    /// re-encoding reproduces the input exactly.
    public mutating func readTaggedFields(
        _ decodeKnown: (UInt32, inout ByteReader) -> Bool
    ) -> [TaggedField] {
        let count = Int(readUnsignedVarint())
        guard count <= remaining else {
            fail(.invalidLength(offset: position, length: Int64(count)))
            return []
        }
        var unknown: [TaggedField] = []
        for _ in 0..<count where error == nil {
            let tag = readUnsignedVarint()
            let sizeOffset = position
            let size = Int(readUnsignedVarint())
            guard size <= remaining else {
                fail(.invalidLength(offset: sizeOffset, length: Int64(size)))
                break
            }
            let fieldStart = position
            let outerEnd = beginLimit(size)
            if !decodeKnown(tag, &self), error == nil {
                position = fieldStart
                unknown.append(TaggedField(tag: tag, data: readRawBytes(size)))
            }
            endLimit(outerEnd)
        }
        return unknown
    }
}
