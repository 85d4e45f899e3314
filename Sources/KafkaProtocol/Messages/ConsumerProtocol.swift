/// The "consumer" embedded protocol: what consumers put inside JoinGroup's
/// member metadata and SyncGroup's assignments. The broker never reads these
/// bytes; consumers of every client library must agree on them, so the layout
/// is Kafka's `ConsumerProtocolSubscription` / `ConsumerProtocolAssignment`:
///
/// ```
/// Subscription: version int16
///               topics [string]                       (int32 count, int16-length strings)
///               user_data nullable bytes              (int32 length, -1 null)
///   v1+:        owned_partitions [topic string, partitions [int32]]
///   v2+:        generation_id int32                   (default -1)
///   v3+:        rack_id nullable string
/// Assignment:   version int16
///               assigned_partitions [topic string, partitions [int32]]
///               user_data nullable bytes
/// ```
///
/// Neither is a flexible version: no compact lengths, no tagged fields.
/// A reader takes the fields of the version it knows and ignores any trailing
/// bytes, since a newer peer may append fields (as Kafka itself does).
public enum ConsumerProtocol {
    /// The protocol type every consumer sends in JoinGroup.
    public static let protocolType = "consumer"
}

/// Topic name and partition numbers, as the consumer protocol lists them.
public struct TopicPartitions: Sendable, Equatable, Hashable {
    public var topic: String
    public var partitions: [Int32]

    public init(topic: String, partitions: [Int32]) {
        self.topic = topic
        self.partitions = partitions
    }
}

/// What a member subscribes to, sent in JoinGroup.
public struct ConsumerProtocolSubscription: Sendable, Equatable {
    public var version: Int16
    public var topics: [String]
    public var userData: [UInt8]?
    public var ownedPartitions: [TopicPartitions]
    public var generationId: Int32
    public var rackId: String?

    public init(
        version: Int16 = 1, topics: [String], userData: [UInt8]? = nil, ownedPartitions: [TopicPartitions] = [],
        generationId: Int32 = -1, rackId: String? = nil
    ) {
        self.version = version
        self.topics = topics
        self.userData = userData
        self.ownedPartitions = ownedPartitions
        self.generationId = generationId
        self.rackId = rackId
    }

    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 64)
        writer.writeInt16(version)
        writer.writeArrayCount(topics.count, compact: false)
        for topic in topics { writer.writeString(topic, compact: false) }
        writer.writeNullableBytes(userData, compact: false)
        if version >= 1 { ConsumerProtocol.write(ownedPartitions, to: &writer) }
        if version >= 2 { writer.writeInt32(generationId) }
        if version >= 3 { writer.writeNullableString(rackId, compact: false) }
        return writer.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(ProtocolError) -> ConsumerProtocolSubscription {
        var reader = ByteReader(bytes)
        let version = reader.readInt16()
        let topics = reader.readArray(compact: false) { $0.readString(compact: false) }
        let userData = reader.readNullableBytes(compact: false)
        var subscription = ConsumerProtocolSubscription(version: version, topics: topics, userData: userData)
        if version >= 1 { subscription.ownedPartitions = ConsumerProtocol.readTopicPartitions(&reader) }
        if version >= 2 { subscription.generationId = reader.readInt32() }
        if version >= 3 { subscription.rackId = reader.readNullableString(compact: false) }
        if let error = reader.error { throw error }
        return subscription
    }
}

/// The partitions the leader gave one member, received in SyncGroup.
public struct ConsumerProtocolAssignment: Sendable, Equatable {
    public var version: Int16
    public var assignedPartitions: [TopicPartitions]
    public var userData: [UInt8]?

    public init(version: Int16 = 1, assignedPartitions: [TopicPartitions], userData: [UInt8]? = nil) {
        self.version = version
        self.assignedPartitions = assignedPartitions
        self.userData = userData
    }

    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 64)
        writer.writeInt16(version)
        ConsumerProtocol.write(assignedPartitions, to: &writer)
        writer.writeNullableBytes(userData, compact: false)
        return writer.bytes
    }

    /// An empty byte string is an empty assignment: brokers send that to a member
    /// the leader gave nothing (and some leaders do leave members out).
    public static func decode(_ bytes: [UInt8]) throws(ProtocolError) -> ConsumerProtocolAssignment {
        guard !bytes.isEmpty else { return ConsumerProtocolAssignment(version: 0, assignedPartitions: []) }
        var reader = ByteReader(bytes)
        let version = reader.readInt16()
        let partitions = ConsumerProtocol.readTopicPartitions(&reader)
        let userData = reader.readNullableBytes(compact: false)
        if let error = reader.error { throw error }
        return ConsumerProtocolAssignment(version: version, assignedPartitions: partitions, userData: userData)
    }
}

extension ConsumerProtocol {
    static func write(_ list: [TopicPartitions], to writer: inout ByteWriter) {
        writer.writeArrayCount(list.count, compact: false)
        for entry in list {
            writer.writeString(entry.topic, compact: false)
            writer.writeArrayCount(entry.partitions.count, compact: false)
            for partition in entry.partitions { writer.writeInt32(partition) }
        }
    }

    static func readTopicPartitions(_ reader: inout ByteReader) -> [TopicPartitions] {
        reader.readArray(compact: false) { reader in
            let topic = reader.readString(compact: false)
            let partitions = reader.readArray(compact: false) { $0.readInt32() }
            return TopicPartitions(topic: topic, partitions: partitions)
        }
    }
}
