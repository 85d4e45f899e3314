import Foundation
import KafkaLog
import KafkaProtocol

/// Committed offsets, kept as Kafka keeps them: records in the internal topic
/// `__consumer_offsets` (one partition here), replayed at start-up.
///
/// ```
/// key (offset commit, version 1):  int16 version=1, string group, string topic, int32 partition
/// value (version 3):               int16 version=3, int64 offset, int32 leaderEpoch,
///                                  string metadata, int64 commitTimestamp
/// a null value deletes the offset (OffsetDelete)
/// ```
/// Strings are int16-length UTF-8, as in Kafka's non-flexible messages.
///
/// Concurrency: used by the `GroupCoordinator` actor only.
struct OffsetStore {
    struct Committed: Sendable, Equatable {
        var offset: Int64
        var leaderEpoch: Int32
        var metadata: String?
        var commitTimestamp: Int64
    }

    static let topic = "__consumer_offsets"
    let log: PartitionLog
    private(set) var offsets: [String: [TopicPartition: Committed]] = [:]

    /// Opens (creating if needed) the offsets log and replays it.
    init(topics: TopicStore) throws {
        if topics.topic(Self.topic) == nil {
            try topics.create(Self.topic, partitions: 1, configs: ["retention.ms": "-1"])
        }
        guard let log = topics.log(Self.topic, 0) else { throw BrokerError(.kafkaStorageError, "no \(Self.topic) log") }
        self.log = log
        var position = log.logStartOffset
        while position < log.logEndOffset {
            let read = try log.read(from: position, maxBytes: 1 << 20)
            let set = try RecordSet.decode(read.records)
            guard let last = set.batches.last else { break }
            for record in set.batches.flatMap(\.records) { apply(key: record.key, value: record.value) }
            position = last.nextOffset
        }
    }

    func committed(group: String) -> [TopicPartition: Committed] { offsets[group] ?? [:] }

    var groupsWithOffsets: [String] { offsets.filter { !$0.value.isEmpty }.map(\.key) }

    /// Records commits (nil deletes) in the log and in memory. Returns the log and its last
    /// offset, for the caller to wait until durable.
    mutating func store(
        group: String, _ changes: [TopicPartition: Committed?], now: Int64
    ) throws -> (PartitionLog, Int64) {
        var builder = RecordBatchBuilder()
        for (target, committed) in changes.sorted(by: { $0.key < $1.key }) {
            let key = Self.key(group: group, target)
            let value = committed.map(Self.value)
            builder.append(timestamp: now, key: key, value: value)
            apply(key: key[...], value: value?[...])
        }
        let batch = try builder.seal()
        let headers = try PartitionLog.validate(batch, maxMessageBytes: Int.max)
        let result = try log.append(batch, headers: headers, now: now)
        return (log, result.lastOffset)
    }

    private mutating func apply(key: ArraySlice<UInt8>?, value: ArraySlice<UInt8>?) {
        guard let key, let (group, target) = Self.decodeKey(Array(key)) else { return }
        if let value, let committed = Self.decodeValue(Array(value)) {
            offsets[group, default: [:]][target] = committed
        } else {
            offsets[group]?[target] = nil
        }
    }

    static func key(group: String, _ target: TopicPartition) -> [UInt8] {
        var writer = ByteWriter(capacity: 32)
        writer.writeInt16(1)
        writer.writeString(group, compact: false)
        writer.writeString(target.topic, compact: false)
        writer.writeInt32(target.partition)
        return writer.bytes
    }

    static func value(_ committed: Committed) -> [UInt8] {
        var writer = ByteWriter(capacity: 32)
        writer.writeInt16(3)
        writer.writeInt64(committed.offset)
        writer.writeInt32(committed.leaderEpoch)
        writer.writeString(committed.metadata ?? "", compact: false)
        writer.writeInt64(committed.commitTimestamp)
        return writer.bytes
    }

    static func decodeKey(_ bytes: [UInt8]) -> (String, TopicPartition)? {
        var reader = ByteReader(bytes)
        guard reader.readInt16() == 1 else { return nil } // 2 is group metadata, not kept here
        let group = reader.readString(compact: false)
        let topic = reader.readString(compact: false)
        let partition = reader.readInt32()
        return reader.error == nil ? (group, TopicPartition(topic: topic, partition: partition)) : nil
    }

    static func decodeValue(_ bytes: [UInt8]) -> Committed? {
        var reader = ByteReader(bytes)
        let version = reader.readInt16()
        guard version >= 1 else { return nil }
        let offset = reader.readInt64()
        let epoch = version >= 3 ? reader.readInt32() : -1
        let metadata = reader.readString(compact: false)
        let timestamp = reader.readInt64()
        return reader.error == nil
            ? Committed(offset: offset, leaderEpoch: epoch, metadata: metadata, commitTimestamp: timestamp) : nil
    }
}

/// A topic and partition (the broker's own key type).
struct TopicPartition: Hashable, Sendable, Comparable {
    var topic: String
    var partition: Int32

    static func < (lhs: TopicPartition, rhs: TopicPartition) -> Bool {
        lhs.topic != rhs.topic ? lhs.topic < rhs.topic : lhs.partition < rhs.partition
    }
}
