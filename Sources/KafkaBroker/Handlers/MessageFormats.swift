import KafkaProtocol

/// Produce v0–v2 and Fetch v0–v3 carry message sets of magic 0 and 1, the formats before
/// Kafka 0.11. The log holds magic-2 batches only, so the broker converts at its edge, as
/// Kafka 1.x–3.x do for clients of that era (kafka-python pinned to `api_version=(0, 10)`,
/// old librdkafka): up on the way in, down on the way out.
enum MessageFormats {
    /// The newest magic a Fetch of `version` can read: v0–v1 magic 0, v2–v3 magic 1.
    static func readableMagic(fetchVersion: Int16) -> Int8 {
        switch fetchVersion {
        case ...1: return 0
        case 2...3: return 1
        default: return 2
        }
    }

    /// A Produce v0–v2 partition's message set as one magic-2 batch with the producer's codec,
    /// as Kafka's log validator up-converts it. Offsets are assigned when the batch is appended;
    /// magic 0 has no timestamps, so its records keep Kafka's "no timestamp" (-1).
    static func upConverted(_ messageSet: [UInt8]) throws(BrokerError) -> [UInt8] {
        let set: RecordSet
        do {
            set = try RecordSet.decode(messageSet)
        } catch {
            throw BrokerError(.corruptMessage, "unreadable message set: \(error)")
        }
        guard set.truncatedBytes == 0 else {
            throw BrokerError(.corruptMessage, "the message set ends with \(set.truncatedBytes) bytes of a cut message")
        }
        guard set.batches.allSatisfy({ $0.magic < 2 }) else {
            throw BrokerError(.invalidRecord, "Produce v0–v2 carries messages of magic 0 or 1, not record batches")
        }
        let records = set.records
        guard !records.isEmpty else { throw BrokerError(.corruptMessage, "an empty message set") }
        let codec = set.batches.lazy.map(\.compression).first { $0 != .none } ?? .none
        do {
            return try RecordBatch(records: records, compression: codec).encoded()
        } catch {
            throw BrokerError(.unsupportedCompressionType, "\(error)")
        }
    }

    /// What one stored batch may inflate to while it is converted (Kafka's own batches are at
    /// most `max.message.bytes` compressed; this bounds a hostile one's expansion).
    static let conversionLimits = DecodingLimits(maxDecompressedSize: 64 << 20)

    /// The magic-2 batches a fetch read, written as messages of `magic` for a Fetch v0–v3
    /// reader. Transaction markers are left out (those readers know no control records),
    /// and a batch cut short at the end of the read stays out, as the reader would drop it.
    /// At most about `budget` bytes are written (the first batch always, as a reader needs it
    /// whole): a compressed batch written out plain can be many times its stored size.
    static func downConverted(_ records: [UInt8], to magic: Int8, budget: Int) throws(BrokerError) -> [UInt8] {
        guard !records.isEmpty else { return records }
        var writer = ByteWriter(capacity: min(records.count + records.count / 4, max(budget, 1 << 16)))
        do {
            // One stored batch at a time (the log holds magic 2 only), so no more is inflated
            // than is written, and writing stops once the converted bytes reach the budget.
            var position = 0
            while position < records.count, writer.count == 0 || writer.count < budget {
                guard let header = try RecordBatchHeader.read(records, at: position),
                    header.totalSize <= records.count - position,
                    let batch = try RecordBatch.decodeV2(records, at: position, limits: Self.conversionLimits)
                else { break }
                position += header.totalSize
                if !batch.isControl { try LegacyMessageSet.write(batch, magic: magic, to: &writer) }
            }
        } catch let error as ProtocolError {
            throw BrokerError(.corruptMessage, "a stored batch could not be read: \(error)")
        } catch {
            throw BrokerError(.unsupportedCompressionType, "\(error)")
        }
        return writer.bytes
    }
}
