import KafkaProtocol

/// A record to produce.
public struct ProducerRecord: Sendable {
    public var topic: String
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [RecordHeader]
    /// nil: chosen by the partitioner.
    public var partition: Int32?
    /// Milliseconds since the epoch; nil: now.
    public var timestamp: Int64?

    public init(
        topic: String, key: [UInt8]? = nil, value: [UInt8]?, headers: [RecordHeader] = [],
        partition: Int32? = nil, timestamp: Int64? = nil
    ) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
        self.partition = partition
        self.timestamp = timestamp
    }
}

/// Many records for one topic whose keys and values are slices of one byte
/// buffer: how to hand a producer records without a heap allocation per record
/// (`weir produce` fills one per block of input lines).
public struct ProducerRecords: Sendable {
    public let topic: String
    var bytes: [UInt8] = []
    var entries: [Entry] = []

    /// Where one record's parts are in `bytes`; -1 for a null key or value, no
    /// partition (the partitioner chooses) or no timestamp (now).
    struct Entry: Sendable {
        var keyStart: Int32
        var keyLength: Int32
        var valueStart: Int32
        var valueLength: Int32
        var partition: Int32
        var timestamp: Int64
    }

    /// - Parameters:
    ///   - records, bytes: how many records and payload bytes to make room for at once.
    public init(topic: String, reservingRecords records: Int = 0, bytes byteCount: Int = 0) {
        self.topic = topic
        entries.reserveCapacity(records)
        bytes.reserveCapacity(byteCount)
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// Adds a record; its key and value bytes are copied into the shared buffer.
    /// (Concrete, not generic: it is called per record from other modules, where a
    /// generic function would run unspecialized.)
    public mutating func append(
        key: ArraySlice<UInt8>?, value: ArraySlice<UInt8>?, partition: Int32? = nil, timestamp: Int64? = nil
    ) {
        let (keyStart, keyLength) = store(key)
        let (valueStart, valueLength) = store(value)
        entries.append(
            Entry(
                keyStart: keyStart, keyLength: keyLength, valueStart: valueStart, valueLength: valueLength,
                partition: partition ?? -1, timestamp: timestamp ?? -1))
    }

    /// Adds a record from whole arrays.
    public mutating func append(key: [UInt8]?, value: [UInt8]?, partition: Int32? = nil, timestamp: Int64? = nil) {
        append(key: key?[...], value: value?[...], partition: partition, timestamp: timestamp)
    }

    private mutating func store(_ part: ArraySlice<UInt8>?) -> (Int32, Int32) {
        guard let part else { return (0, -1) }
        let start = Int32(bytes.count)
        part.withUnsafeBytes { bytes.append(contentsOf: $0) }
        return (start, Int32(part.count))
    }

    /// Removes every record, keeping the buffers' capacity.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
    }
}

/// Where a produced record was written.
public struct RecordMetadata: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    /// -1 when the broker does not say (acks=0, or a batch it already had).
    public var offset: Int64
    public var timestamp: Int64
}
