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
                // Offsets come from the sender: wrapping arithmetic, so a hostile one cannot trap.
                let shift = message.record.offset &- lastRelative
                for recordIndex in records.indices { records[recordIndex].offset &+= shift }
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
            lastOffsetDelta: Int32(truncatingIfNeeded: last &- first), baseTimestamp: records.first?.timestamp ?? -1,
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

// MARK: - Writing

extension LegacyMessageSet {
    /// Writes `batch`'s records as messages of `magic` 0 or 1, the form a reader of Fetch v0–v3
    /// expects (Kafka down-converts the same way). Headers have no place in these formats and are
    /// dropped; a compressed batch becomes one compressed wrapper message holding its records.
    /// Codecs these formats cannot carry are written uncompressed: zstd (magic 2 only), and LZ4 at
    /// magic 0, whose frames Kafka's readers of that era check against a wrongly computed header
    /// checksum.
    public static func write(_ batch: RecordBatch, magic: Int8, to writer: inout ByteWriter) throws(CompressionError) {
        precondition(magic == 0 || magic == 1, "legacy messages are magic 0 or 1")
        guard let first = batch.records.first, let last = batch.records.last else { return }
        let logAppendTime = batch.attributes.timestampType == .logAppendTime
        let timestampBit: Int8 = magic == 1 && logAppendTime ? 0x08 : 0
        func timestamp(of record: Record) -> Int64 { logAppendTime ? batch.maxTimestamp : record.timestamp }
        var codec = batch.compression
        if codec == .zstd || (codec == .lz4 && magic == 0) { codec = .none }

        if codec == .none {
            for record in batch.records {
                writeMessage(
                    offset: record.offset, magic: magic, attributes: timestampBit, timestamp: timestamp(of: record),
                    key: record.key, value: record.value, to: &writer)
            }
            return
        }
        // Inside a wrapper, magic 1 numbers messages from 0 and the wrapper carries the last
        // one's absolute offset; magic 0 keeps absolute offsets throughout.
        var inner = ByteWriter(capacity: batch.records.count * 64)
        for record in batch.records {
            writeMessage(
                offset: magic == 1 ? record.offset &- first.offset : record.offset, magic: magic, attributes: 0,
                timestamp: timestamp(of: record), key: record.key, value: record.value, to: &inner)
        }
        let compressed = try codec.compress(inner.bytes)
        writeMessage(
            offset: last.offset, magic: magic, attributes: Int8(codec.rawValue) | timestampBit,
            timestamp: batch.maxTimestamp, key: nil, value: compressed[...], to: &writer)
    }

    /// One message: log overhead (offset, size), then the CRC-32 over the rest.
    private static func writeMessage(
        offset: Int64, magic: Int8, attributes: Int8, timestamp: Int64, key: ArraySlice<UInt8>?,
        value: ArraySlice<UInt8>?, to writer: inout ByteWriter
    ) {
        writer.writeInt64(offset)
        let sizeAt = writer.count
        writer.writeInt32(0)
        writer.writeUInt32(0)
        writer.writeInt8(magic)
        writer.writeInt8(attributes)
        if magic == 1 { writer.writeInt64(timestamp) }
        for bytes in [key, value] {
            if let bytes { writer.writeBytes(bytes, compact: false) } else { writer.writeInt32(-1) }
        }
        let end = writer.count
        writer.setInt32(Int32(end - sizeAt - 4), at: sizeAt)
        writer.setUInt32(CRC32.checksum(writer.bytes[(sizeAt + 8)..<end]), at: sizeAt + 4)
    }
}
