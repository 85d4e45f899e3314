/// The fixed 61-byte header of a magic-v2 record batch.
///
/// Byte layout (all big-endian; see shared/kafka-protocol/RECORD-FORMAT.md):
///
///     0  int64  baseOffset            35 int64  maxTimestamp
///     8  int32  batchLength           43 int64  producerId
///     12 int32  partitionLeaderEpoch  51 int16  producerEpoch
///     16 int8   magic (2)             53 int32  baseSequence
///     17 uint32 crc (CRC-32C of 21…)  57 int32  recordCount
///     21 int16  attributes            61 …      records
///     23 int32  lastOffsetDelta
///     27 int64  baseTimestamp
///
/// `batchLength` counts the bytes after itself, so a batch is 12 + batchLength
/// bytes. The CRC leaves out the leader epoch so a broker can stamp it without
/// recomputing the checksum. The broker reads only this header to append and
/// index a batch; records stay as the producer wrote them.
public struct RecordBatchHeader: Sendable, Equatable {
    public static let size = 61
    /// Bytes before `batchLength`'s count begins (baseOffset + batchLength).
    public static let logOverhead = 12
    /// Where the CRC'd region starts.
    public static let crcStart = 21

    public var baseOffset: Int64
    public var batchLength: Int32
    public var partitionLeaderEpoch: Int32
    public var magic: Int8
    public var crc: UInt32
    public var attributes: RecordBatchAttributes
    public var lastOffsetDelta: Int32
    public var baseTimestamp: Int64
    public var maxTimestamp: Int64
    public var producerId: Int64
    public var producerEpoch: Int16
    public var baseSequence: Int32
    public var recordCount: Int32

    /// The whole batch's size in bytes.
    public var totalSize: Int { Self.logOverhead + Int(batchLength) }
    /// The offset of the batch's last record.
    public var lastOffset: Int64 { baseOffset &+ Int64(lastOffsetDelta) }

    /// Reads the header at `index` of `bytes` without moving any reader.
    ///
    /// Returns nil when fewer than 17 bytes (up to the magic) are there, which in a
    /// fetch response means a batch cut short by the size limit — not an error.
    /// Throws when the header is there but inconsistent.
    public static func read(_ bytes: [UInt8], at index: Int) throws(ProtocolError) -> RecordBatchHeader? {
        guard bytes.count - index >= 17 else { return nil }
        var reader = ByteReader(bytes, range: index..<bytes.count)
        let baseOffset = reader.readInt64()
        let batchLength = reader.readInt32()
        let partitionLeaderEpoch = reader.readInt32()
        let magic = reader.readInt8()
        guard magic == 2 else { throw .unsupportedMagic(offset: index, magic: magic) }
        guard Int(batchLength) >= size - logOverhead else {
            throw .corruptRecordBatch(offset: index, reason: "batch length \(batchLength) is shorter than a header")
        }
        guard bytes.count - index >= size else { return nil }
        return RecordBatchHeader(
            baseOffset: baseOffset, batchLength: batchLength, partitionLeaderEpoch: partitionLeaderEpoch,
            magic: magic, crc: reader.readUInt32(), attributes: RecordBatchAttributes(rawValue: reader.readInt16()),
            lastOffsetDelta: reader.readInt32(), baseTimestamp: reader.readInt64(), maxTimestamp: reader.readInt64(),
            producerId: reader.readInt64(), producerEpoch: reader.readInt16(), baseSequence: reader.readInt32(),
            recordCount: reader.readInt32()
        )
    }

    public func write(to writer: inout ByteWriter) {
        writer.writeInt64(baseOffset)
        writer.writeInt32(batchLength)
        writer.writeInt32(partitionLeaderEpoch)
        writer.writeInt8(magic)
        writer.writeUInt32(crc)
        writer.writeInt16(attributes.rawValue)
        writer.writeInt32(lastOffsetDelta)
        writer.writeInt64(baseTimestamp)
        writer.writeInt64(maxTimestamp)
        writer.writeInt64(producerId)
        writer.writeInt16(producerEpoch)
        writer.writeInt32(baseSequence)
        writer.writeInt32(recordCount)
    }
}

/// The attribute bits of a record batch.
public struct RecordBatchAttributes: Sendable, Equatable, Hashable {
    public var rawValue: Int16

    public init(rawValue: Int16) {
        self.rawValue = rawValue
    }

    public init(
        compression: CompressionCodec = .none, timestampType: TimestampType = .createTime,
        isTransactional: Bool = false, isControl: Bool = false
    ) {
        rawValue = Int16(compression.rawValue)
        if timestampType == .logAppendTime { rawValue |= 0x08 }
        if isTransactional { rawValue |= 0x10 }
        if isControl { rawValue |= 0x20 }
    }

    /// The codec number in bits 0–2 (may be one Kafka does not define).
    public var compressionNumber: Int8 { Int8(rawValue & 0x07) }
    public var compression: CompressionCodec? { CompressionCodec(rawValue: compressionNumber) }
    public var timestampType: TimestampType { rawValue & 0x08 != 0 ? .logAppendTime : .createTime }
    public var isTransactional: Bool { rawValue & 0x10 != 0 }
    public var isControl: Bool { rawValue & 0x20 != 0 }
    /// Compaction wrote its delete horizon into baseTimestamp.
    public var hasDeleteHorizon: Bool { rawValue & 0x40 != 0 }
}
