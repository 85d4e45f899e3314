/// The batches of a `records` field (Produce and Fetch) or a log segment:
/// batches laid end to end, of any magic.
public struct RecordSet: Sendable, Equatable {
    public var batches: [RecordBatch]
    /// Bytes at the end that did not hold a whole batch. A fetch response may end
    /// with a partial batch when it hits its size limit; that is not an error,
    /// but a consumer that got no whole batch must ask for more bytes.
    public var truncatedBytes: Int

    public init(batches: [RecordBatch], truncatedBytes: Int = 0) {
        self.batches = batches
        self.truncatedBytes = truncatedBytes
    }

    /// Decodes every batch in `bytes`, checking each CRC.
    public static func decode(_ bytes: [UInt8], limits: DecodingLimits = .default) throws(ProtocolError) -> RecordSet {
        var batches: [RecordBatch] = []
        var position = 0
        while position < bytes.count {
            guard bytes.count - position >= 17 else { break }
            let magic = Int8(bitPattern: bytes[position + 16])
            let batch: RecordBatch?
            switch magic {
            case 2: batch = try RecordBatch.decodeV2(bytes, at: position, limits: limits)
            case 0, 1: batch = try LegacyMessageSet.decode(bytes, at: position, limits: limits)
            default: throw .unsupportedMagic(offset: position, magic: magic)
            }
            guard let batch else { break }
            batches.append(batch)
            // Both formats put the size after the 8-byte offset.
            position +=
                12
                + Int(
                    UInt32(
                        bigEndian: bytes.withUnsafeBytes {
                            $0.loadUnaligned(fromByteOffset: position + 8, as: UInt32.self)
                        }))
        }
        return RecordSet(batches: batches, truncatedBytes: bytes.count - position)
    }

    /// The records of every batch, control batches left out.
    public var records: [Record] {
        batches.filter { !$0.isControl }.flatMap(\.records)
    }
}
