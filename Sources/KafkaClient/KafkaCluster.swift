import KafkaProtocol
import NIOCore
import NIOPosix

/// A partition as the cluster's metadata describes it.
public struct PartitionMetadata: Sendable, Equatable {
    public var partition: Int32
    public var leader: Int32
    public var leaderEpoch: Int32
    public var replicas: [Int32]
    public var inSyncReplicas: [Int32]
    public var error: ErrorCode
}

/// A topic as the cluster's metadata describes it.
public struct TopicMetadata: Sendable, Equatable {
    public var name: String
    public var topicId: KafkaUUID
    public var isInternal: Bool
    /// Sorted by partition number.
    public var partitions: [PartitionMetadata]
    public var error: ErrorCode
}

/// The client's view of a cluster: its brokers, its topics' leaders, and one
/// connection per broker, made on first use and reused.
///
/// Metadata is fetched on demand and refreshed when a caller reports a stale
/// leader (`invalidate`). Calls may come from any task.
public actor KafkaCluster {
    public let config: ClientConfig
    private let bootstrapServers: [BrokerAddress]
    private let eventLoopGroup: any EventLoopGroup
    private var brokers: [Int32: BrokerAddress] = [:]
    private var connections: [Int32: Task<BrokerConnection, Error>] = [:]
    private var bootstrapConnection: BrokerConnection?
    private var topics: [String: TopicMetadata] = [:]
    public private(set) var controllerId: Int32 = -1
    public private(set) var clusterId: String?
    private var isClosed = false

    public init(config: ClientConfig, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws
    {
        self.config = config
        bootstrapServers = try config.bootstrapServers()
        self.eventLoopGroup = eventLoopGroup
    }

    /// A connection to any live broker: a known one, else the bootstrap servers in turn.
    public func anyConnection() async throws -> BrokerConnection {
        guard !isClosed else { throw KafkaClientError.closed }
        if let connection = bootstrapConnection, connection.isActive { return connection }
        for nodeId in brokers.keys.sorted() {
            if let connection = try? await connection(toNode: nodeId) { return connection }
        }
        var failures: [String] = []
        for address in bootstrapServers {
            do {
                let connection = try await BrokerConnection.connect(
                    to: address, config: config, eventLoopGroup: eventLoopGroup)
                bootstrapConnection = connection
                return connection
            } catch let error as KafkaClientError where error.isRefusal {
                throw error // another bootstrap server would refuse the same credentials or settings
            } catch {
                failures.append("\(error)")
            }
        }
        throw KafkaClientError.noBrokerAvailable(failures)
    }

    /// The connection to broker `nodeId`, made if there is none or it closed.
    public func connection(toNode nodeId: Int32) async throws -> BrokerConnection {
        guard !isClosed else { throw KafkaClientError.closed }
        if let pending = connections[nodeId] {
            if let connection = try? await pending.value, connection.isActive { return connection }
            connections[nodeId] = nil
        }
        if brokers[nodeId] == nil { try await refreshMetadata(topics: []) }
        guard let address = brokers[nodeId] else {
            throw KafkaClientError.connectionFailed(broker: "node \(nodeId)", reason: "not in the cluster's metadata")
        }
        let config = self.config, group = eventLoopGroup
        let task = Task { try await BrokerConnection.connect(to: address, config: config, eventLoopGroup: group) }
        connections[nodeId] = task
        do {
            return try await task.value
        } catch {
            connections[nodeId] = nil
            throw error
        }
    }

    /// The node ids of the brokers, as of the latest metadata (fetched if there is none).
    public func brokerIds() async throws -> [Int32] {
        if brokers.isEmpty { try await refreshMetadata(topics: []) }
        return brokers.keys.sorted()
    }

    /// The connection to the broker coordinating consumer group `groupId`.
    public func coordinator(forGroup groupId: String) async throws -> BrokerConnection {
        let (nodeId, _) = try await GroupRequests.findCoordinator(groupId: groupId, via: try await anyConnection())
        return try await connection(toNode: nodeId)
    }

    /// Fetches metadata for `topics` (nil: every topic) and updates the cache.
    @discardableResult
    public func refreshMetadata(
        topics names: [String]?, allowAutoCreation: Bool = false
    ) async throws -> [TopicMetadata] {
        let connection = try await anyConnection()
        var request = MetadataRequest()
        request.topics = names.map { $0.map { MetadataRequest.MetadataRequestTopic(name: $0) } }
        request.allowAutoTopicCreation = allowAutoCreation
        let response = try await connection.send(request)
        brokers = Dictionary(
            response.brokers.map { ($0.nodeId, BrokerAddress(host: $0.host, port: Int($0.port))) },
            uniquingKeysWith: { first, _ in first })
        controllerId = response.controllerId
        clusterId = response.clusterId
        var result: [TopicMetadata] = []
        for topic in response.topics {
            let metadata = TopicMetadata(
                name: topic.name ?? "", topicId: topic.topicId, isInternal: topic.isInternal,
                partitions: topic.partitions.map {
                    PartitionMetadata(
                        partition: $0.partitionIndex, leader: $0.leaderId, leaderEpoch: $0.leaderEpoch,
                        replicas: $0.replicaNodes, inSyncReplicas: $0.isrNodes, error: ErrorCode(code: $0.errorCode))
                }.sorted { $0.partition < $1.partition },
                error: ErrorCode(code: topic.errorCode)
            )
            if metadata.error == .none { topics[metadata.name] = metadata } else { topics[metadata.name] = nil }
            result.append(metadata)
        }
        return result
    }

    /// The topic's metadata, from the cache or fetched; throws if the topic does not exist.
    public func topic(_ name: String, allowAutoCreation: Bool = false) async throws -> TopicMetadata {
        if let cached = topics[name] { return cached }
        let fetched = try await refreshMetadata(topics: [name], allowAutoCreation: allowAutoCreation)
        guard let topic = fetched.first(where: { $0.name == name }) else {
            throw KafkaClientError.unknownTopicOrPartition(name)
        }
        switch topic.error {
        case .none: return topic
        case .unknownTopicOrPartition: throw KafkaClientError.unknownTopicOrPartition(name)
        default: throw KafkaClientError.broker(topic.error, context: "metadata for \(name)")
        }
    }

    /// The connection to the leader of `topic`/`partition`.
    public func leader(topic: String, partition: Int32) async throws -> BrokerConnection {
        try await connection(toNode: leaderId(topic: topic, partition: partition))
    }

    /// The node id leading `topic`/`partition`; LEADER_NOT_AVAILABLE while it has none.
    public func leaderId(topic: String, partition: Int32) async throws -> Int32 {
        let metadata = try await self.topic(topic)
        guard let entry = metadata.partitions.first(where: { $0.partition == partition }) else {
            throw KafkaClientError.unknownTopicOrPartition("\(topic)-\(partition)")
        }
        guard entry.leader >= 0 else {
            throw KafkaClientError.broker(.leaderNotAvailable, context: "\(topic)-\(partition)")
        }
        return entry.leader
    }

    /// Forgets a topic's cached metadata, so the next use fetches it again (after
    /// NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION or a leader change).
    public func invalidate(topic: String) {
        topics[topic] = nil
    }

    /// Closes every connection; later calls fail with `.closed`.
    public func close() async {
        isClosed = true
        for task in connections.values { await (try? task.value)?.close() }
        connections = [:]
        await bootstrapConnection?.close()
        bootstrapConnection = nil
    }
}
