/// Appends values in Kafka's wire encoding to a growing byte array.
///
/// `write…` appends; `set…(at:)` patches bytes already written (for lengths
/// and CRCs known only after what follows them is written).
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Number of bytes written so far.
    @inlinable public var count: Int { bytes.count }

    /// Makes room for `additional` more bytes. Grows at least twofold: `Array.reserveCapacity`
    /// allocates exactly what it is asked for, so reserving a little per write would copy
    /// everything written so far each time.
    @inline(__always)
    public mutating func reserveCapacity(_ additional: Int) {
        let needed = bytes.count + additional
        guard needed > bytes.capacity else { return }
        bytes.reserveCapacity(max(needed, bytes.capacity * 2))
    }

    @inline(__always)
    mutating func writeFixed<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func writeInt8(_ value: Int8) { bytes.append(UInt8(bitPattern: value)) }
    public mutating func writeUInt8(_ value: UInt8) { bytes.append(value) }
    public mutating func writeInt16(_ value: Int16) { writeFixed(value) }
    public mutating func writeUInt16(_ value: UInt16) { writeFixed(value) }
    public mutating func writeInt32(_ value: Int32) { writeFixed(value) }
    public mutating func writeUInt32(_ value: UInt32) { writeFixed(value) }
    public mutating func writeInt64(_ value: Int64) { writeFixed(value) }
    public mutating func writeFloat64(_ value: Double) { writeFixed(value.bitPattern) }
    public mutating func writeBool(_ value: Bool) { bytes.append(value ? 1 : 0) }
    public mutating func writeUUID(_ value: KafkaUUID) {
        writeFixed(value.high)
        writeFixed(value.low)
    }

    /// Overwrites `value`'s bytes at `index`, big-endian.
    @inline(__always)
    mutating func setFixed<T: FixedWidthInteger>(_ value: T, at index: Int) {
        withUnsafeBytes(of: value.bigEndian) { source in
            for byteIndex in 0..<source.count { bytes[index + byteIndex] = source[byteIndex] }
        }
    }

    public mutating func setInt16(_ value: Int16, at index: Int) { setFixed(value, at: index) }
    public mutating func setInt32(_ value: Int32, at index: Int) { setFixed(value, at: index) }
    public mutating func setUInt32(_ value: UInt32, at index: Int) { setFixed(value, at: index) }
    public mutating func setInt64(_ value: Int64, at index: Int) { setFixed(value, at: index) }

    /// Gives up the bytes written, leaving the writer empty (no copy when nothing else holds them).
    public mutating func takeBytes() -> [UInt8] {
        defer { bytes = [] }
        return bytes
    }

    // MARK: Varints

    public mutating func writeUnsignedVarint(_ value: UInt32) {
        writeVarintBits(UInt64(value))
    }

    public mutating func writeVarint(_ value: Int32) {
        writeVarintBits(UInt64(UInt32(bitPattern: (value << 1) ^ (value >> 31))))
    }

    public mutating func writeVarlong(_ value: Int64) {
        writeVarintBits(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    @inline(__always)
    mutating func writeVarintBits(_ value: UInt64) {
        var remainingBits = value
        while remainingBits >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: remainingBits) | 0x80)
            remainingBits >>= 7
        }
        bytes.append(UInt8(remainingBits))
    }

    /// Bytes an unsigned varint of `value` takes.
    public static func unsignedVarintSize(_ value: UInt64) -> Int {
        var size = 1
        var remainingBits = value >> 7
        while remainingBits != 0 {
            size += 1
            remainingBits >>= 7
        }
        return size
    }

    /// Bytes a zig-zag varint (or varlong) of `value` takes.
    public static func varintSize(_ value: Int64) -> Int {
        unsignedVarintSize(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    // MARK: Strings, bytes, arrays

    private mutating func writeLength(_ length: Int?, compact: Bool, wide: Bool) {
        if compact {
            writeUnsignedVarint(UInt32(truncatingIfNeeded: (length ?? -1) + 1))
        } else if wide {
            writeInt32(Int32(truncatingIfNeeded: length ?? -1))
        } else {
            writeInt16(Int16(truncatingIfNeeded: length ?? -1))
        }
    }

    public mutating func writeString(_ value: String, compact: Bool) {
        var value = value
        value.withUTF8 { utf8 in
            writeLength(utf8.count, compact: compact, wide: false)
            bytes.append(contentsOf: utf8)
        }
    }

    public mutating func writeNullableString(_ value: String?, compact: Bool) {
        guard let value else { return writeLength(nil, compact: compact, wide: false) }
        writeString(value, compact: compact)
    }

    public mutating func writeBytes<Bytes: Collection<UInt8>>(_ value: Bytes, compact: Bool) {
        writeLength(value.count, compact: compact, wide: true)
        bytes.append(contentsOf: value)
    }

    public mutating func writeNullableBytes(_ value: [UInt8]?, compact: Bool) {
        guard let value else { return writeLength(nil, compact: compact, wide: true) }
        writeBytes(value, compact: compact)
    }

    /// Appends bytes with no length prefix.
    public mutating func writeRawBytes<Bytes: Sequence<UInt8>>(_ value: Bytes) {
        bytes.append(contentsOf: value)
    }

    /// Writes an array count, or null for nil.
    public mutating func writeArrayCount(_ count: Int?, compact: Bool) {
        if compact {
            writeUnsignedVarint(UInt32(truncatingIfNeeded: (count ?? -1) + 1))
        } else {
            writeInt32(Int32(truncatingIfNeeded: count ?? -1))
        }
    }

    // MARK: Tagged fields

    /// Writes a tagged-field section: the known fields already encoded by the
    /// caller plus the raw ones carried through from decoding, in ascending tag order.
    public mutating func writeTaggedFields(_ known: [TaggedField], unknown: [TaggedField]) {
        if known.isEmpty && unknown.isEmpty {
            bytes.append(0)
            return
        }
        var all = known
        if !unknown.isEmpty {
            // A raw entry for a tag that is also written from its field is stale: the field wins.
            all += unknown.filter { raw in !known.contains { $0.tag == raw.tag } }
            all.sort { $0.tag < $1.tag }
        }
        writeUnsignedVarint(UInt32(all.count))
        for field in all {
            writeUnsignedVarint(field.tag)
            writeUnsignedVarint(UInt32(field.data.count))
            bytes.append(contentsOf: field.data)
        }
    }

    /// Encodes one tagged field's value with `body` and returns it ready for `writeTaggedFields`.
    public static func taggedField(_ tag: UInt32, _ body: (inout ByteWriter) -> Void) -> TaggedField {
        var writer = ByteWriter(capacity: 16)
        body(&writer)
        return TaggedField(tag: tag, data: writer.bytes)
    }
}

/// A field of a flexible message's tagged section: its tag and its encoded value.
/// Tags a message does not know are kept this way and written back unchanged.
public struct TaggedField: Sendable, Equatable, Hashable {
    public var tag: UInt32
    public var data: [UInt8]

    public init(tag: UInt32, data: [UInt8]) {
        self.tag = tag
        self.data = data
    }
}

/// Kafka's 128-bit UUID (topic ids, directory ids).
public struct KafkaUUID: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public static let zero = KafkaUUID(high: 0, low: 0)

    /// Kafka prints UUIDs as 22 characters of URL-safe base64 without padding.
    public var description: String {
        var raw: [UInt8] = []
        withUnsafeBytes(of: high.bigEndian) { raw.append(contentsOf: $0) }
        withUnsafeBytes(of: low.bigEndian) { raw.append(contentsOf: $0) }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var text = ""
        var bitBuffer: UInt32 = 0
        var bitCount = 0
        for byte in raw {
            bitBuffer = (bitBuffer << 8) | UInt32(byte)
            bitCount += 8
            while bitCount >= 6 {
                bitCount -= 6
                text.append(alphabet[Int((bitBuffer >> UInt32(bitCount)) & 0x3F)])
            }
        }
        if bitCount > 0 { text.append(alphabet[Int((bitBuffer << UInt32(6 - bitCount)) & 0x3F)]) }
        return text
    }
}
