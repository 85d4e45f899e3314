/// A decoded record batch: the header's fields and its records.
///
/// Magic-v2 batches decode and encode; legacy magic 0 and 1 message sets decode
/// into the same shape (see `LegacyMessageSet`), with `magic` saying which.
public struct RecordBatch: Sendable, Equatable {
    public var baseOffset: Int64
    public var partitionLeaderEpoch: Int32
    public var magic: Int8
    public var attributes: RecordBatchAttributes
    public var lastOffsetDelta: Int32
    public var baseTimestamp: Int64
    public var maxTimestamp: Int64
    public var producerId: Int64
    public var producerEpoch: Int16
    public var baseSequence: Int32
    public var records: [Record]

    public init(
        baseOffset: Int64, partitionLeaderEpoch: Int32 = -1, magic: Int8 = 2, attributes: RecordBatchAttributes,
        lastOffsetDelta: Int32, baseTimestamp: Int64, maxTimestamp: Int64, producerId: Int64 = -1,
        producerEpoch: Int16 = -1, baseSequence: Int32 = -1, records: [Record]
    ) {
        self.baseOffset = baseOffset
        self.partitionLeaderEpoch = partitionLeaderEpoch
        self.magic = magic
        self.attributes = attributes
        self.lastOffsetDelta = lastOffsetDelta
        self.baseTimestamp = baseTimestamp
        self.maxTimestamp = maxTimestamp
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
        self.records = records
    }

    /// A batch as a producer builds it: offsets numbered from `baseOffset`, the
    /// base timestamp taken from the first record and the max from all of them.
    public init(
        records: [Record], baseOffset: Int64 = 0, compression: CompressionCodec = .none,
        producerId: Int64 = -1, producerEpoch: Int16 = -1, baseSequence: Int32 = -1,
        isTransactional: Bool = false, isControl: Bool = false
    ) {
        var numbered = records
        for index in numbered.indices { numbered[index].offset = baseOffset + Int64(index) }
        let firstTimestamp = records.first?.timestamp ?? -1
        self.init(
            baseOffset: baseOffset,
            attributes: RecordBatchAttributes(
                compression: compression, isTransactional: isTransactional, isControl: isControl),
            lastOffsetDelta: Int32(max(records.count - 1, 0)), baseTimestamp: firstTimestamp,
            maxTimestamp: records.map(\.timestamp).max() ?? -1, producerId: producerId,
            producerEpoch: producerEpoch, baseSequence: baseSequence, records: numbered
        )
    }

    public var compression: CompressionCodec { attributes.compression ?? .none }
    public var isControl: Bool { attributes.isControl }
    public var isTransactional: Bool { attributes.isTransactional }
    public var lastOffset: Int64 { baseOffset &+ Int64(lastOffsetDelta) }
    /// The offset after this batch: where the next batch starts.
    public var nextOffset: Int64 { lastOffset &+ 1 }
}

// MARK: - Decoding

extension RecordBatch {
    /// Decodes the magic-v2 batch at `index` of `bytes`, checking its CRC.
    ///
    /// Returns nil when the batch is cut short (as the last batch of a fetch
    /// response may be); throws for a damaged one.
    public static func decodeV2(
        _ bytes: [UInt8], at index: Int, limits: DecodingLimits = .default
    ) throws(ProtocolError) -> RecordBatch? {
        guard let found = try checkedRecordBytes(bytes, at: index, limits: limits) else { return nil }
        let header = found.header
        let records = try records(of: found)
        return RecordBatch(
            baseOffset: header.baseOffset, partitionLeaderEpoch: header.partitionLeaderEpoch, magic: 2,
            attributes: header.attributes, lastOffsetDelta: header.lastOffsetDelta,
            baseTimestamp: header.baseTimestamp, maxTimestamp: header.maxTimestamp, producerId: header.producerId,
            producerEpoch: header.producerEpoch, baseSequence: header.baseSequence, records: records
        )
    }

    /// A v2 batch's header and the bytes of its records (decompressed if need be), its CRC checked.
    struct RecordBytes {
        let header: RecordBatchHeader
        let storage: [UInt8]
        let range: Range<Int>
        /// Where the batch starts in what was decoded (for error messages).
        let batchOffset: Int

        var logAppendTime: Int64? { header.attributes.timestampType == .logAppendTime ? header.maxTimestamp : nil }
    }

    static func checkedRecordBytes(
        _ bytes: [UInt8], at index: Int, limits: DecodingLimits
    ) throws(ProtocolError) -> RecordBytes? {
        guard let header = try RecordBatchHeader.read(bytes, at: index) else { return nil }
        guard header.totalSize <= bytes.count - index else { return nil }
        let end = index + header.totalSize
        let computed = bytes.withUnsafeBufferPointer {
            CRC32C.checksum(UnsafeBufferPointer(rebasing: $0[(index + RecordBatchHeader.crcStart)..<end]))
        }
        guard computed == header.crc else {
            throw .checksumMismatch(offset: index, stored: header.crc, computed: computed)
        }
        guard header.recordCount >= 0 else {
            throw .corruptRecordBatch(offset: index, reason: "negative record count \(header.recordCount)")
        }
        guard let codec = header.attributes.compression else {
            throw .compression(.unknownCodec(header.attributes.compressionNumber))
        }
        let recordsStart = index + RecordBatchHeader.size
        if codec == .none {
            return RecordBytes(header: header, storage: bytes, range: recordsStart..<end, batchOffset: index)
        }
        let inflated: [UInt8]
        do {
            inflated = try codec.decompress(bytes[recordsStart..<end], limit: limits.maxDecompressedSize)
        } catch {
            throw .compression(error)
        }
        return RecordBytes(header: header, storage: inflated, range: 0..<inflated.count, batchOffset: index)
    }

    /// The records of a batch as `Record`s: keys, values and header values slices of its bytes.
    static func records(of found: RecordBytes) throws(ProtocolError) -> [Record] {
        let spans = try spans(of: found)
        var records: [Record] = []
        records.reserveCapacity(spans.count)
        for span in spans {
            records.append(
                Record(
                    offset: span.offset, timestamp: span.timestamp,
                    key: span.keyCount < 0 ? nil : found.storage[span.keyStart..<(span.keyStart + span.keyCount)],
                    value: span.valueCount < 0
                        ? nil : found.storage[span.valueStart..<(span.valueStart + span.valueCount)],
                    headers: span.headerCount == 0 ? [] : span.headers(in: found.storage)
                ))
        }
        return records
    }

    /// The smallest encoded record: seven one-byte fields.
    private static let minimumRecordSize = 7

    /// Where each of `header.recordCount` records lies in the batch's bytes, every field
    /// checked. This is the consumer's hot loop: no allocation but the result array.
    static func spans(of found: RecordBytes) throws(ProtocolError) -> [RecordSpan] {
        let (storage, range, header, batchOffset) = (found.storage, found.range, found.header, found.batchOffset)
        let logAppendTime = found.logAppendTime
        let count = Int(header.recordCount)
        guard count <= range.count / minimumRecordSize else {
            throw .corruptRecordBatch(
                offset: batchOffset, reason: "\(count) records cannot fit in \(range.count) bytes")
        }
        var spans: [RecordSpan] = []
        spans.reserveCapacity(count)
        let failure: String? = storage.withUnsafeBufferPointer { buffer -> String? in
            var cursor = VarintCursor(base: buffer.baseAddress!, position: range.lowerBound, end: range.upperBound)
            for _ in 0..<count {
                guard let length = cursor.readVarint(), length >= 0, length <= cursor.end - cursor.position else {
                    return "bad record length"
                }
                let recordEnd = cursor.position + Int(length)
                let outerEnd = cursor.end
                cursor.end = recordEnd
                cursor.position += 1 // attributes: no bits in use
                guard let timestampDelta = cursor.readVarint(),
                    let offsetDelta = cursor.readVarint(),
                    let key = cursor.readRun(),
                    let value = cursor.readRun(),
                    let headerCount = cursor.readVarint(), headerCount >= 0,
                    headerCount <= cursor.end - cursor.position
                else { return "malformed record" }
                let headersStart = cursor.position
                for _ in 0..<headerCount {
                    guard let name = cursor.readRun(), name.count >= 0, cursor.readRun() != nil else {
                        return "malformed record header"
                    }
                }
                guard cursor.position == recordEnd else { return "record length does not match its fields" }
                cursor.end = outerEnd
                spans.append(
                    RecordSpan(
                        offset: header.baseOffset &+ offsetDelta,
                        timestamp: logAppendTime ?? header.baseTimestamp &+ timestampDelta,
                        keyStart: key.start, keyCount: key.count, valueStart: value.start, valueCount: value.count,
                        headersStart: headersStart, headerCount: Int(headerCount)
                    ))
            }
            return cursor.position == range.upperBound ? nil : "bytes left after the last record"
        }
        if let failure { throw .corruptRecordBatch(offset: batchOffset, reason: failure) }
        return spans
    }
}

/// Where one record lies in its batch's bytes: what the consumer reads records by, without a
/// `Record` (whose key, value and headers are reference-counted slices) per record.
public struct RecordSpan: Sendable, Equatable {
    /// Position in the partition and milliseconds since the epoch, made absolute.
    public var offset: Int64
    public var timestamp: Int64
    /// The key's and value's bytes; a count of -1 is a null.
    public var keyStart: Int
    public var keyCount: Int
    public var valueStart: Int
    public var valueCount: Int
    /// The headers' bytes (checked when the span was read) and how many there are.
    var headersStart: Int
    var headerCount: Int

    /// The headers, read from the batch's bytes (their values copied: headers are few and small).
    func headers(in buffer: UnsafeBufferPointer<UInt8>) -> [RecordHeader] {
        guard let base = buffer.baseAddress else { return [] }
        var cursor = VarintCursor(base: base, position: headersStart, end: buffer.count)
        var headers: [RecordHeader] = []
        for _ in 0..<headerCount {
            guard let name = cursor.readRun(), let value = cursor.readRun() else { break }
            let key =
                name.count < 0 ? "" : String(decoding: buffer[name.start..<(name.start + name.count)], as: UTF8.self)
            headers.append(
                RecordHeader(
                    key: key, value: value.count < 0 ? nil : Array(buffer[value.start..<(value.start + value.count)])))
        }
        return headers
    }

    /// The same, from the bytes as an array.
    func headers(in storage: [UInt8]) -> [RecordHeader] {
        storage.withUnsafeBufferPointer { headers(in: $0) }
    }
}

/// Reads zig-zag varints and length-prefixed byte runs from a bounded pointer range.
struct VarintCursor {
    let base: UnsafePointer<UInt8>
    var position: Int
    var end: Int

    @inline(__always)
    mutating func readVarint() -> Int64? {
        var raw: UInt64 = 0
        var shift: UInt64 = 0
        while position < end, shift < 64 {
            let byte = base[position]
            position += 1
            raw |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1))) }
            shift += 7
        }
        return nil
    }

    /// A varint length then that many bytes: where they start and how many (-1: a null).
    @inline(__always)
    mutating func readRun() -> (start: Int, count: Int)? {
        guard let length = readVarint() else { return nil }
        if length == -1 { return (position, -1) }
        guard length >= 0, length <= end - position else { return nil }
        let start = position
        position += Int(length)
        return (start, Int(length))
    }
}

// MARK: - Encoding

extension RecordBatch {
    /// The batch in magic-v2 form, CRC included. Record offset and timestamp deltas
    /// are taken against `baseOffset` and `baseTimestamp`.
    ///
    /// Throws only when the batch's codec cannot run here (zstd without libzstd).
    public func encoded() throws(CompressionError) -> [UInt8] {
        var writer = ByteWriter(capacity: 0)
        try write(to: &writer)
        return writer.bytes
    }

    /// Appends the batch in magic-v2 form.
    public func write(to writer: inout ByteWriter) throws(CompressionError) {
        let start = writer.count
        let codec = compression
        if codec == .none {
            writeHeader(to: &writer)
            writeRecords(to: &writer)
        } else {
            var plain = ByteWriter(capacity: records.count * 64)
            writeRecords(to: &plain)
            let compressed = try codec.compress(plain.bytes)
            writer.reserveCapacity(RecordBatchHeader.size + compressed.count)
            writeHeader(to: &writer)
            writer.writeRawBytes(compressed)
        }
        let end = writer.count
        writer.setInt32(Int32(end - start - RecordBatchHeader.logOverhead), at: start + 8)
        let crc = writer.bytes.withUnsafeBufferPointer {
            CRC32C.checksum(UnsafeBufferPointer(rebasing: $0[(start + RecordBatchHeader.crcStart)..<end]))
        }
        writer.setUInt32(crc, at: start + 17)
    }

    private func writeHeader(to writer: inout ByteWriter) {
        RecordBatchHeader(
            baseOffset: baseOffset, batchLength: 0, partitionLeaderEpoch: partitionLeaderEpoch, magic: 2, crc: 0,
            attributes: attributes, lastOffsetDelta: lastOffsetDelta, baseTimestamp: baseTimestamp,
            maxTimestamp: maxTimestamp, producerId: producerId, producerEpoch: producerEpoch,
            baseSequence: baseSequence, recordCount: Int32(records.count)
        ).write(to: &writer)
    }

    private func writeRecords(to writer: inout ByteWriter) {
        for record in records {
            record.key.withOptionalBytes { key in
                record.value.withOptionalBytes { value in
                    RecordEncoding.write(
                        to: &writer, timestampDelta: record.timestamp &- baseTimestamp,
                        offsetDelta: Int32(truncatingIfNeeded: record.offset - baseOffset),
                        key: key, value: value, headers: record.headers)
                }
            }
        }
    }
}
