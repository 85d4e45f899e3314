/// Builds a magic-v2 record batch the way a producer fills one: each record is
/// encoded into the batch's bytes as it is appended, so nothing per record is
/// kept (no `Record` values, no key or value arrays), and sealing writes the
/// header, compresses and checksums once.
///
/// Layout while filling: 61 bytes reserved for the header, then the records.
/// Offsets are numbered from 0 (the broker assigns real ones); the base
/// timestamp is the first record's.
public struct RecordBatchBuilder: Sendable {
    private var writer: ByteWriter
    public private(set) var recordCount: Int32 = 0
    private var baseTimestamp: Int64 = 0
    private var maxTimestamp: Int64 = -1

    /// - Parameter capacity: bytes to reserve at once (the producer's `batch.size`),
    ///   so appending does not reallocate while the batch fills.
    public init(capacity: Int = 16 * 1024) {
        writer = ByteWriter(capacity: max(capacity, RecordBatchHeader.size))
        writer.writeRawBytes(repeatElement(0, count: RecordBatchHeader.size))
    }

    /// Bytes the batch holds so far, header included (before compression).
    public var byteCount: Int { writer.count }
    public var isEmpty: Bool { recordCount == 0 }

    /// Appends one record; its offset delta is its position in the batch.
    public mutating func append(
        timestamp: Int64, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?, headers: [RecordHeader] = []
    ) {
        if recordCount == 0 { baseTimestamp = timestamp }
        maxTimestamp = max(maxTimestamp, timestamp)
        RecordEncoding.write(
            to: &writer, timestampDelta: timestamp &- baseTimestamp, offsetDelta: recordCount,
            key: key, value: value, headers: headers)
        recordCount += 1
    }

    /// Appends one record whose key and value are byte collections (arrays, slices).
    public mutating func append<Key: Collection<UInt8>, Value: Collection<UInt8>>(
        timestamp: Int64, key: Key?, value: Value?, headers: [RecordHeader] = []
    ) {
        Self.withBytes(key) { keyBytes in
            Self.withBytes(value) { valueBytes in
                append(timestamp: timestamp, key: keyBytes, value: valueBytes, headers: headers)
            }
        }
    }

    private static func withBytes<Bytes: Collection<UInt8>, Result>(
        _ bytes: Bytes?, _ body: (UnsafeRawBufferPointer?) -> Result
    ) -> Result {
        guard let bytes else { return body(nil) }
        if let result = bytes.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) { return result }
        return Array(bytes).withUnsafeBytes { body($0) }
    }

    /// Finishes the batch and returns its bytes, leaving the builder empty.
    ///
    /// - Parameters:
    ///   - producerId, producerEpoch, baseSequence: an idempotent producer's identity
    ///     and this batch's first sequence number (-1 when not idempotent).
    /// - Throws: only when the codec cannot run here (zstd without libzstd).
    public mutating func seal(
        compression: CompressionCodec = .none, producerId: Int64 = -1, producerEpoch: Int16 = -1,
        baseSequence: Int32 = -1, isTransactional: Bool = false
    ) throws(CompressionError) -> [UInt8] {
        var batch = writer.takeBytes()
        if compression != .none {
            let compressed = try batch.withUnsafeBufferPointer { all throws(CompressionError) in
                try compression.compress(UnsafeBufferPointer(rebasing: all[RecordBatchHeader.size...]))
            }
            batch.removeSubrange(RecordBatchHeader.size...)
            batch.append(contentsOf: compressed)
        }
        var header = ByteWriter(capacity: RecordBatchHeader.size)
        RecordBatchHeader(
            baseOffset: 0, batchLength: Int32(batch.count - RecordBatchHeader.logOverhead), partitionLeaderEpoch: -1,
            magic: 2, crc: 0,
            attributes: RecordBatchAttributes(
                compression: compression, isTransactional: isTransactional, isControl: false),
            lastOffsetDelta: max(recordCount - 1, 0), baseTimestamp: baseTimestamp, maxTimestamp: maxTimestamp,
            producerId: producerId, producerEpoch: producerEpoch, baseSequence: baseSequence, recordCount: recordCount
        ).write(to: &header)
        batch.replaceSubrange(0..<RecordBatchHeader.size, with: header.bytes)
        RecordBatchHeader.updateChecksum(of: &batch)
        self = RecordBatchBuilder(capacity: 0)
        return batch
    }
}

extension RecordBatchHeader {
    /// Rewrites an encoded batch's producer identity and first sequence number and
    /// recomputes its CRC: how an idempotent producer renumbers batches it must send
    /// again under a new producer id.
    public static func restamp(_ batch: inout [UInt8], producerId: Int64, producerEpoch: Int16, baseSequence: Int32) {
        withUnsafeBytes(of: producerId.bigEndian) { batch.replaceSubrange(43..<51, with: $0) }
        withUnsafeBytes(of: producerEpoch.bigEndian) { batch.replaceSubrange(51..<53, with: $0) }
        withUnsafeBytes(of: baseSequence.bigEndian) { batch.replaceSubrange(53..<57, with: $0) }
        updateChecksum(of: &batch)
    }

    /// Computes the CRC-32C of an encoded batch (from its attributes to its end) and stores it:
    /// after a producer renumbers a batch, or a broker stamps LogAppendTime into it.
    public static func updateChecksum(of batch: inout [UInt8]) {
        let crc = batch.withUnsafeBufferPointer { CRC32C.checksum(UnsafeBufferPointer(rebasing: $0[crcStart...])) }
        withUnsafeBytes(of: crc.bigEndian) { batch.replaceSubrange(17..<21, with: $0) }
    }
}
