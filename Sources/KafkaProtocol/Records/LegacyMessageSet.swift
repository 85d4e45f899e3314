/// Reading the message sets of magic 0 and 1, which topics written before
/// Kafka 0.11 still hold.
///
/// A message is `offset int64, size int32` (the log overhead) and then
/// `crc uint32, magic int8, attributes int8, [timestamp int64 if magic 1],
/// key (int32 length), value (int32 length)`, the CRC being plain CRC-32 over
/// everything after it. A compressed message's value holds a whole inner
/// message set; with magic 1 the inner offsets are relative and the wrapper
/// carries the absolute offset of the last inner message.
public enum LegacyMessageSet {
    /// The fixed part of a message after the log overhead, for magic 0 (crc, magic, attributes, key and value lengths).
    static let minimumMessageSize = 4 + 1 + 1 + 4 + 4

    /// Decodes the message at `index` into a batch of its records (several for a
    /// compressed wrapper). Returns nil when the message is cut short.
    public static func decode(
        _ bytes: [UInt8], at index: Int, limits: DecodingLimits = .default
    ) throws(ProtocolError) -> RecordBatch? {
        guard let message = try readMessage(bytes, at: index, end: bytes.count) else { return nil }
        let codecNumber = Int8(message.attributes & 0x07)
        guard let codec = CompressionCodec(rawValue: codecNumber), codec != .zstd else {
            throw .compression(.unknownCodec(codecNumber))
        }
        var records: [Record]
        if codec == .none {
            records = [message.record]
        } else {
            guard let value = message.record.value else {
                throw .corruptRecordBatch(offset: index, reason: "compressed message without a value")
            }
            let inner: [UInt8]
            do { inner = try codec.decompress(value, limit: limits.maxDecompressedSize) } catch {
                throw .compression(error)
            }
            records = []
            var position = 0
            while position < inner.count {
                guard let innerMessage = try readMessage(inner, at: position, end: inner.count) else {
                    throw .corruptRecordBatch(offset: index, reason: "truncated message inside a compressed wrapper")
                }
                records.append(innerMessage.record)
                position += innerMessage.size
            }
            if message.magic == 1, let lastRelative = records.last?.offset {
                let shift = message.record.offset - lastRelative
                for recordIndex in records.indices { records[recordIndex].offset += shift }
            }
            if message.attributes & 0x08 != 0 {
                for recordIndex in records.indices { records[recordIndex].timestamp = message.record.timestamp }
            }
        }
        let first = records.first?.offset ?? message.record.offset
        let last = records.last?.offset ?? first
        return RecordBatch(
            baseOffset: first, magic: message.magic,
            attributes: RecordBatchAttributes(rawValue: Int16(message.attributes & 0x0F)),
            lastOffsetDelta: Int32(truncatingIfNeeded: last - first), baseTimestamp: records.first?.timestamp ?? -1,
            maxTimestamp: records.map(\.timestamp).max() ?? -1, records: records
        )
    }

    private struct Message {
        var magic: Int8
        var attributes: Int8
        var record: Record
        /// Bytes the message takes, log overhead included.
        var size: Int
    }

    private static func readMessage(_ bytes: [UInt8], at index: Int, end: Int) throws(ProtocolError) -> Message? {
        guard end - index >= 12 else { return nil }
        var reader = ByteReader(bytes, range: index..<end)
        let offset = reader.readInt64()
        let size = Int(reader.readInt32())
        guard size >= minimumMessageSize else {
            throw .corruptRecordBatch(offset: index, reason: "message size \(size) is too small")
        }
        guard size <= reader.remaining else { return nil }
        let bodyStart = reader.position
        let storedCRC = reader.readUInt32()
        let computed = CRC32.checksum(bytes[(bodyStart + 4)..<(bodyStart + size)])
        guard storedCRC == computed else {
            throw .checksumMismatch(offset: index, stored: storedCRC, computed: computed)
        }
        let magic = reader.readInt8()
        guard magic == 0 || magic == 1 else { throw .unsupportedMagic(offset: index, magic: magic) }
        let attributes = reader.readInt8()
        let timestamp = magic == 1 ? reader.readInt64() : -1
        var body = ByteReader(bytes, range: reader.position..<(bodyStart + size))
        let key = body.readNullableBytes(compact: false)
        let value = body.readNullableBytes(compact: false)
        if let error = body.error { throw error }
        guard body.isAtEnd else { throw .corruptRecordBatch(offset: index, reason: "message longer than its fields") }
        return Message(
            magic: magic, attributes: attributes,
            record: Record(offset: offset, timestamp: timestamp, key: key?[...], value: value?[...]),
            size: 12 + size
        )
    }
}
