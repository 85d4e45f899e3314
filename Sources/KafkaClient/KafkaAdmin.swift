import KafkaProtocol

/// Where to start reading, or which offset to look up.
public enum OffsetSpec: Sendable, Equatable {
    case earliest
    case latest
    /// The first offset whose timestamp is at or after this many milliseconds since the epoch.
    case timestamp(Int64)
    case offset(Int64)

    /// The ListOffsets timestamp that asks for this (-2 earliest, -1 latest).
    var listOffsetsTimestamp: Int64? {
        switch self {
        case .earliest: return -2
        case .latest: return -1
        case let .timestamp(milliseconds): return milliseconds
        case .offset: return nil
        }
    }
}

/// Topic administration and offset lookups.
public struct KafkaAdmin: Sendable {
    public let cluster: KafkaCluster

    public init(cluster: KafkaCluster) {
        self.cluster = cluster
    }

    /// Creates a topic; `configs` are topic properties such as `retention.ms`.
    public func createTopic(
        _ name: String, partitions: Int32 = 1, replicationFactor: Int16 = 1, configs: [String: String] = [:],
        timeoutMs: Int32 = 30_000
    ) async throws {
        let connection = try await controllerOrAny()
        let topic = CreateTopicsRequest.CreatableTopic(
            name: name, numPartitions: partitions, replicationFactor: replicationFactor,
            configs: configs.sorted { $0.key < $1.key }.map {
                CreateTopicsRequest.CreatableTopic.CreatableTopicConfig(name: $0.key, value: $0.value)
            }
        )
        let response = try await connection.send(CreateTopicsRequest(topics: [topic], timeoutMs: timeoutMs))
        for result in response.topics {
            let code = ErrorCode(code: result.errorCode)
            if code != .none {
                throw KafkaClientError.broker(
                    code, context: "create topic \(name)" + (result.errorMessage.map { " (\($0))" } ?? ""))
            }
        }
        await cluster.invalidate(topic: name)
    }

    /// Deletes a topic by name.
    public func deleteTopic(_ name: String, timeoutMs: Int32 = 30_000) async throws {
        let connection = try await controllerOrAny()
        let version = try connection.version(for: DeleteTopicsRequest.self)
        var request = DeleteTopicsRequest(timeoutMs: timeoutMs)
        if version >= 6 {
            request.topics = [DeleteTopicsRequest.DeleteTopicState(name: name)]
        } else {
            request.topicNames = [name]
        }
        let response = try await connection.send(request, version: version)
        for result in response.responses {
            let code = ErrorCode(code: result.errorCode)
            if code != .none { throw KafkaClientError.broker(code, context: "delete topic \(name)") }
        }
        await cluster.invalidate(topic: name)
    }

    /// Raises a topic's partition count to `totalCount` (Kafka never lowers it).
    public func createPartitions(_ topic: String, totalCount: Int32, timeoutMs: Int32 = 30_000) async throws {
        let connection = try await controllerOrAny()
        let request = CreatePartitionsRequest(
            topics: [CreatePartitionsRequest.CreatePartitionsTopic(name: topic, count: totalCount)],
            timeoutMs: timeoutMs)
        let response = try await connection.send(request)
        for result in response.results {
            let code = ErrorCode(code: result.errorCode)
            if code != .none {
                throw KafkaClientError.broker(
                    code, context: "create partitions for \(topic)" + (result.errorMessage.map { " (\($0))" } ?? ""))
            }
        }
        await cluster.invalidate(topic: topic)
    }

    /// A topic's configuration entries, sorted by name.
    public func describeConfigs(topic: String) async throws -> [TopicConfigEntry] {
        try await idempotent { try await describeConfigsOnce(topic: topic) }
    }

    private func describeConfigsOnce(topic: String) async throws -> [TopicConfigEntry] {
        let connection = try await cluster.anyConnection()
        let request = DescribeConfigsRequest(resources: [
            DescribeConfigsRequest.DescribeConfigsResource(
                resourceType: ConfigResourceType.topic, resourceName: topic, configurationKeys: nil)
        ])
        let response = try await connection.send(request)
        guard let result = response.results.first else { throw KafkaClientError.unknownTopicOrPartition(topic) }
        let code = ErrorCode(code: result.errorCode)
        guard code == .none else {
            throw KafkaClientError.broker(
                code, context: "describe configs of \(topic)" + (result.errorMessage.map { " (\($0))" } ?? ""))
        }
        return result.configs.map {
            // Version 0 says isDefault; later versions say where the value comes from instead,
            // and a topic's own setting is source 1 (DYNAMIC_TOPIC_CONFIG).
            let isDefault = $0.configSource == -1 ? $0.isDefault : $0.configSource != 1
            return TopicConfigEntry(
                name: $0.name, value: $0.isSensitive ? nil : $0.value, isDefault: isDefault,
                source: TopicConfigEntry.Source(configSource: $0.configSource, isDefault: $0.isDefault),
                isReadOnly: $0.readOnly, isSensitive: $0.isSensitive)
        }.sorted { $0.name < $1.name }
    }

    /// Every topic in the cluster, sorted by name (internal topics included).
    public func listTopics() async throws -> [TopicMetadata] {
        try await idempotent {
            try await cluster.refreshMetadata(topics: nil).filter { $0.error == .none }.sorted { $0.name < $1.name }
        }
    }

    /// One topic's partitions, leaders and replicas, fetched fresh.
    public func describeTopic(_ name: String) async throws -> TopicMetadata {
        try await idempotent {
            await cluster.invalidate(topic: name)
            return try await cluster.topic(name)
        }
    }

    /// The offset `spec` names in one partition: an explicit offset as it is, the others by ListOffsets.
    public func listOffset(topic: String, partition: Int32, spec: OffsetSpec) async throws -> Int64 {
        let target = TopicPartition(topic: topic, partition: partition)
        guard let offset = try await listOffsets([target], spec: spec)[target] else {
            throw KafkaClientError.unknownTopicOrPartition("\(target)")
        }
        return offset
    }

    /// The offsets `spec` names in many partitions, with one ListOffsets request per leader.
    /// A by-timestamp lookup past the last record answers -1 (Kafka's "no such record").
    public func listOffsets(_ partitions: [TopicPartition], spec: OffsetSpec) async throws -> [TopicPartition: Int64] {
        try await idempotent { try await listOffsetsOnce(partitions, spec: spec) }
    }

    private func listOffsetsOnce(
        _ partitions: [TopicPartition], spec: OffsetSpec
    ) async throws -> [TopicPartition: Int64] {
        if case let .offset(offset) = spec { return Dictionary(uniqueKeysWithValues: partitions.map { ($0, offset) }) }
        let timestamp = spec.listOffsetsTimestamp ?? -1
        var byLeader: [Int32: [TopicPartition]] = [:]
        for target in partitions {
            byLeader[try await cluster.leaderId(topic: target.topic, partition: target.partition), default: []].append(
                target)
        }
        var result: [TopicPartition: Int64] = [:]
        for (leader, targets) in byLeader {
            let byTopic = Dictionary(grouping: targets, by: \.topic)
            let request = ListOffsetsRequest(
                replicaId: -1, isolationLevel: 0,
                topics: byTopic.keys.sorted().map { topic in
                    ListOffsetsRequest.ListOffsetsTopic(
                        name: topic,
                        partitions: byTopic[topic]!.map {
                            ListOffsetsRequest.ListOffsetsTopic.ListOffsetsPartition(
                                partitionIndex: $0.partition, timestamp: timestamp)
                        })
                })
            let response = try await cluster.connection(toNode: leader).send(request)
            for topic in response.topics {
                for answer in topic.partitions {
                    let code = ErrorCode(code: answer.errorCode)
                    guard code == .none else {
                        if code == .notLeaderOrFollower || code == .unknownTopicOrPartition {
                            await cluster.invalidate(topic: topic.name)
                        }
                        throw KafkaClientError.broker(
                            code, context: "list offsets \(topic.name)-\(answer.partitionIndex)")
                    }
                    result[TopicPartition(topic: topic.name, partition: answer.partitionIndex)] = answer.offset
                }
            }
        }
        return result
    }

    /// Deletes the records before `offset` in one partition (-1: every record); returns the
    /// partition's new log start offset.
    @discardableResult
    public func deleteRecords(
        topic: String, partition: Int32, before offset: Int64, timeoutMs: Int32 = 30_000
    ) async throws -> Int64 {
        let connection = try await cluster.leader(topic: topic, partition: partition)
        let request = DeleteRecordsRequest(
            topics: [
                .init(name: topic, partitions: [.init(partitionIndex: partition, offset: offset)])
            ], timeoutMs: timeoutMs)
        let response = try await connection.send(request)
        guard
            let answer = response.topics.first(where: { $0.name == topic })?.partitions.first(where: {
                $0.partitionIndex == partition
            })
        else {
            throw KafkaClientError.unknownTopicOrPartition("\(topic)-\(partition)")
        }
        let code = ErrorCode(code: answer.errorCode)
        guard code == .none else {
            throw KafkaClientError.broker(code, context: "delete records of \(topic)-\(partition)")
        }
        return answer.lowWatermark
    }

    /// Runs a read that is safe to repeat again when it failed in passing: the connection
    /// closed under it (a pooled connection the broker had just dropped), or the broker
    /// answered a retriable error (a leader that moved). With a backoff from
    /// `retry.backoff.ms`, for up to `request.timeout.ms`. An unreachable cluster or a
    /// timed-out request is reported at once: repeating it would only double the wait.
    func idempotent<Result>(_ operation: () async throws -> Result) async throws -> Result {
        let config = cluster.config
        let patience = Duration.milliseconds(try config.requestTimeoutMs())
        let backoffMs = try config.integer("retry.backoff.ms", default: 100)
        let started = config.clock.now()
        var attempt = 0
        while true {
            do {
                return try await operation()
            } catch let error as KafkaClientError
                where error.failedInPassing && config.clock.now() - started < patience
            {
                attempt += 1
                try await config.clock.sleep(milliseconds: min(backoffMs << min(attempt - 1, 10), 1_000))
            }
        }
    }

    private func controllerOrAny() async throws -> BrokerConnection {
        let controller = await cluster.controllerId
        if controller >= 0, let connection = try? await cluster.connection(toNode: controller) { return connection }
        return try await cluster.anyConnection()
    }
}

/// One configuration entry of a topic.
public struct TopicConfigEntry: Sendable, Equatable {
    /// Where a topic's config value comes from.
    public enum Source: Sendable, Equatable {
        /// Set on the topic (at creation or altered since).
        case topic
        /// Set for every topic by the broker's configuration (static or dynamic).
        case broker
        /// The default Kafka defines.
        case kafkaDefault
        /// A broker that answers DescribeConfigs v0 says only whether it is a default.
        case unknown

        /// From DescribeConfigs' ConfigSource (-1 when the broker's version has none).
        init(configSource: Int8, isDefault: Bool) {
            switch configSource {
            case 1: self = .topic
            case 2, 3, 4, 7: self = .broker
            case 5: self = .kafkaDefault
            default: self = isDefault ? .kafkaDefault : .unknown
            }
        }
    }

    public var name: String
    /// nil for a sensitive value (the broker does not show it) or an unset one.
    public var value: String?
    /// Not set on the topic itself.
    public var isDefault: Bool
    public var source: Source
    public var isReadOnly: Bool
    public var isSensitive: Bool
}

/// Resource types of DescribeConfigs / AlterConfigs.
enum ConfigResourceType {
    static let topic: Int8 = 2
    static let broker: Int8 = 4
}
