/// A batch as a consumer reads it: the header's fields and where each record lies in the
/// batch's bytes (`RecordSpan`), checked as `RecordBatch.decodeV2` checks them, without a
/// `Record` per record. Its records are handed out as `RecordView`s over the bytes.
public struct RecordBatchView: Sendable {
    public let baseOffset: Int64
    public let lastOffset: Int64
    public let attributes: RecordBatchAttributes
    public let producerId: Int64
    /// The batch's (decompressed) bytes and its records' places in them.
    private let storage: [UInt8]
    private let spans: [RecordSpan]

    public var isControl: Bool { attributes.isControl }
    public var isTransactional: Bool { attributes.isTransactional }
    public var nextOffset: Int64 { lastOffset &+ 1 }
    public var count: Int { spans.count }

    /// The magic-v2 batch at `index` of `bytes`; nil when it is cut short.
    static func decodeV2(
        _ bytes: [UInt8], at index: Int, limits: DecodingLimits
    ) throws(ProtocolError) -> RecordBatchView? {
        guard let found = try RecordBatch.checkedRecordBytes(bytes, at: index, limits: limits) else { return nil }
        let header = found.header
        return RecordBatchView(
            baseOffset: header.baseOffset, lastOffset: header.baseOffset &+ Int64(header.lastOffsetDelta),
            attributes: header.attributes, producerId: header.producerId,
            storage: found.storage, spans: try RecordBatch.spans(of: found))
    }

    private init(
        baseOffset: Int64, lastOffset: Int64, attributes: RecordBatchAttributes, producerId: Int64, storage: [UInt8],
        spans: [RecordSpan]
    ) {
        self.baseOffset = baseOffset
        self.lastOffset = lastOffset
        self.attributes = attributes
        self.producerId = producerId
        self.storage = storage
        self.spans = spans
    }

    /// A batch decoded another way (a legacy message set): its keys and values copied into
    /// bytes of its own, so that it reads as any other.
    init(_ batch: RecordBatch) {
        var storage: [UInt8] = []
        var spans: [RecordSpan] = []
        for record in batch.records {
            let keyStart = storage.count
            if let key = record.key { storage.append(contentsOf: key) }
            let valueStart = storage.count
            if let value = record.value { storage.append(contentsOf: value) }
            spans.append(
                RecordSpan(
                    offset: record.offset, timestamp: record.timestamp,
                    keyStart: keyStart, keyCount: record.key?.count ?? -1,
                    valueStart: valueStart, valueCount: record.value?.count ?? -1, headersStart: 0, headerCount: 0))
        }
        self.init(
            baseOffset: batch.baseOffset, lastOffset: batch.lastOffset, attributes: batch.attributes,
            producerId: batch.producerId,
            storage: storage, spans: spans)
    }

    /// Each record at or after offset `from`, in order, as a view valid during the call.
    @inlinable
    public func forEachRecord<Failure: Error>(
        from: Int64 = .min, _ body: (RecordView) throws(Failure) -> Void
    ) throws(Failure) {
        try withStorage { (bytes: UnsafeBufferPointer<UInt8>, spans: UnsafeBufferPointer<RecordSpan>) throws(Failure) in
            for span in spans where span.offset >= from {
                try body(RecordView(bytes: bytes, span: span))
            }
        }
    }

    @usableFromInline
    func withStorage<Failure: Error>(
        _ body: (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<RecordSpan>) throws(Failure) -> Void
    ) throws(Failure) {
        let outcome: Result<Void, Failure> = storage.withUnsafeBufferPointer { bytes in
            spans.withUnsafeBufferPointer { spans in
                do throws(Failure) {
                    try body(bytes, spans)
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
        }
        try outcome.get()
    }

    /// The records as `Record`s (slices of the batch's bytes), for callers that keep them.
    public var records: [Record] {
        spans.map { span in
            Record(
                offset: span.offset, timestamp: span.timestamp,
                key: span.keyCount < 0 ? nil : storage[span.keyStart..<(span.keyStart + span.keyCount)],
                value: span.valueCount < 0 ? nil : storage[span.valueStart..<(span.valueStart + span.valueCount)],
                headers: span.headerCount == 0 ? [] : span.headers(in: storage))
        }
    }

    /// The first record's key (a control batch's marker says commit or abort in it).
    public var firstKey: [UInt8]? {
        guard let span = spans.first, span.keyCount >= 0 else { return nil }
        return Array(storage[span.keyStart..<(span.keyStart + span.keyCount)])
    }
}

/// One record of a `RecordBatchView`, its bytes borrowed from the batch for the length of a call.
public struct RecordView {
    /// The whole batch's bytes: a reader may look past the value's end (within them) to read
    /// a word at a time.
    public let bytes: UnsafeBufferPointer<UInt8>
    @usableFromInline let span: RecordSpan

    @usableFromInline
    init(bytes: UnsafeBufferPointer<UInt8>, span: RecordSpan) {
        self.bytes = bytes
        self.span = span
    }

    public var offset: Int64 { span.offset }
    public var timestamp: Int64 { span.timestamp }
    /// Where the key and the value lie in `bytes`; nil is a null.
    public var keyRange: Range<Int>? { span.keyCount < 0 ? nil : span.keyStart..<(span.keyStart + span.keyCount) }
    public var valueRange: Range<Int>? {
        span.valueCount < 0 ? nil : span.valueStart..<(span.valueStart + span.valueCount)
    }

    /// The headers (read from the bytes when asked for).
    public var headers: [RecordHeader] {
        guard span.headerCount > 0 else { return [] }
        return span.headers(in: bytes)
    }
}

extension RecordSet {
    /// Decodes every batch in `bytes` as views (see `RecordBatchView`), checking each CRC;
    /// the batches that would not all fit are left off, as `decode` leaves them.
    public static func decodeViews(
        _ bytes: [UInt8], limits: DecodingLimits = .default
    ) throws(ProtocolError) -> [RecordBatchView] {
        var batches: [RecordBatchView] = []
        var position = 0
        while position < bytes.count {
            guard bytes.count - position >= 17 else { break }
            let magic = Int8(bitPattern: bytes[position + 16])
            switch magic {
            case 2:
                guard let batch = try RecordBatchView.decodeV2(bytes, at: position, limits: limits) else {
                    return batches
                }
                batches.append(batch)
            case 0, 1:
                guard let batch = try LegacyMessageSet.decode(bytes, at: position, limits: limits) else {
                    return batches
                }
                batches.append(RecordBatchView(batch))
            default:
                throw .unsupportedMagic(offset: position, magic: magic)
            }
            position +=
                12
                + Int(
                    UInt32(
                        bigEndian: bytes.withUnsafeBytes {
                            $0.loadUnaligned(fromByteOffset: position + 8, as: UInt32.self)
                        }))
        }
        return batches
    }
}
