/// One record of a batch, with its offset and timestamp made absolute.
///
/// Keys, values and header values are slices of the batch's (decompressed)
/// bytes, so decoding a batch copies no payloads.
public struct Record: Sendable, Equatable {
    /// Position in the partition (the batch's base offset + this record's offset delta).
    public var offset: Int64
    /// Milliseconds since the epoch: the producer's time, or the broker's for LogAppendTime batches.
    public var timestamp: Int64
    /// nil is a null key.
    public var key: ArraySlice<UInt8>?
    /// nil is a null value (a tombstone on compacted topics).
    public var value: ArraySlice<UInt8>?
    public var headers: [RecordHeader]

    public init(
        offset: Int64 = 0, timestamp: Int64, key: ArraySlice<UInt8>? = nil, value: ArraySlice<UInt8>?,
        headers: [RecordHeader] = []
    ) {
        self.offset = offset
        self.timestamp = timestamp
        self.key = key
        self.value = value
        self.headers = headers
    }

    /// A record from whole arrays, for producers.
    public init(timestamp: Int64, key: [UInt8]?, value: [UInt8]?, headers: [RecordHeader] = []) {
        self.init(offset: 0, timestamp: timestamp, key: key?[...], value: value?[...], headers: headers)
    }
}

/// A record header: a string key and an optional byte value.
public struct RecordHeader: Sendable, Equatable {
    public var key: String
    public var value: ArraySlice<UInt8>?

    public init(key: String, value: ArraySlice<UInt8>?) {
        self.key = key
        self.value = value
    }

    public init(key: String, value: [UInt8]?) {
        self.init(key: key, value: value?[...])
    }
}

/// How a record's timestamp was set.
public enum TimestampType: Sendable, Equatable {
    /// Set by the producer.
    case createTime
    /// Set by the broker when it appended the batch.
    case logAppendTime
}

/// The key of a control record (a transaction marker or a KRaft-internal record).
public struct ControlRecord: Sendable, Equatable {
    public enum Kind: Int16, Sendable {
        case abort = 0
        case commit = 1
        case leaderChange = 2
        case snapshotHeader = 3
        case snapshotFooter = 4
        case kraftVersion = 5
        case kraftVoters = 6
    }

    public var version: Int16
    public var kind: Kind?
    /// The raw type, kept even when it is not one of `Kind`.
    public var rawKind: Int16

    /// Reads the key of a control record; nil if it is shorter than its four bytes.
    public init?(key: ArraySlice<UInt8>?) {
        guard let key, key.count >= 4 else { return nil }
        let start = key.startIndex
        version = Int16(key[start]) << 8 | Int16(key[start + 1])
        rawKind = Int16(key[start + 2]) << 8 | Int16(key[start + 3])
        kind = Kind(rawValue: rawKind)
    }

    /// The key and value of a transaction marker (version 0).
    public static func markerKey(_ kind: Kind) -> [UInt8] {
        [0, 0, 0, UInt8(kind.rawValue)]
    }

    public static func markerValue(coordinatorEpoch: Int32) -> [UInt8] {
        var writer = ByteWriter(capacity: 6)
        writer.writeInt16(0)
        writer.writeInt32(coordinatorEpoch)
        return writer.bytes
    }
}
