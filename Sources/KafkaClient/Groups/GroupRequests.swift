import KafkaProtocol

/// The group coordinator requests that both a group member and the admin
/// client make: finding the coordinator, committing and fetching offsets.
/// Each picks the request's shape by the version the connection negotiated
/// (FindCoordinator batches keys from v4, OffsetFetch batches groups from v8).
enum GroupRequests {
    /// `current` while it is open, else a new connection to the broker coordinating `groupId`
    /// (a group member's own, so its requests never wait behind another's on a shared one).
    static func coordinatorConnection(
        groupId: String, current: BrokerConnection?, cluster: KafkaCluster
    ) async throws -> BrokerConnection {
        if let current, current.isActive { return current }
        let (_, address) = try await findCoordinator(groupId: groupId, via: try await cluster.anyConnection())
        return try await BrokerConnection.connect(to: address, config: cluster.config)
    }

    /// Which broker coordinates `groupId`.
    static func findCoordinator(
        groupId: String, via connection: BrokerConnection
    ) async throws -> (nodeId: Int32, address: BrokerAddress) {
        let version = try connection.version(for: FindCoordinatorRequest.self)
        var request = FindCoordinatorRequest(keyType: 0)
        if version >= 4 { request.coordinatorKeys = [groupId] } else { request.key = groupId }
        let response = try await connection.send(request, version: version)
        let (code, message, nodeId, host, port): (Int16, String?, Int32, String, Int32)
        if version >= 4 {
            guard let entry = response.coordinators.first(where: { $0.key == groupId }) else {
                throw KafkaClientError.broker(.coordinatorNotAvailable, context: "find coordinator of group \(groupId)")
            }
            (code, message, nodeId, host, port) = (
                entry.errorCode, entry.errorMessage, entry.nodeId, entry.host, entry.port
            )
        } else {
            (code, message, nodeId, host, port) = (
                response.errorCode, response.errorMessage, response.nodeId, response.host, response.port
            )
        }
        let error = ErrorCode(code: code)
        guard error == .none else {
            throw KafkaClientError.broker(
                error, context: "find coordinator of group \(groupId)" + (message.map { " (\($0))" } ?? ""))
        }
        return (nodeId, BrokerAddress(host: host, port: Int(port)))
    }

    /// Commits `offsets` (the next offset to read in each partition) for the group.
    /// A member passes its generation and id; a consumer outside any generation
    /// (assign mode) commits with generation -1 and no member id, as Kafka allows.
    static func commit(
        _ offsets: [TopicPartition: Int64], groupId: String, generationId: Int32, memberId: String,
        groupInstanceId: String?, via connection: BrokerConnection
    ) async throws {
        guard !offsets.isEmpty else { return }
        let byTopic = Dictionary(grouping: offsets, by: \.key.topic)
        let request = OffsetCommitRequest(
            groupId: groupId, generationIdOrMemberEpoch: generationId, memberId: memberId,
            groupInstanceId: groupInstanceId,
            topics: byTopic.keys.sorted().map { topic in
                OffsetCommitRequest.OffsetCommitRequestTopic(
                    name: topic,
                    partitions: byTopic[topic]!.sorted { $0.key < $1.key }.map {
                        .init(partitionIndex: $0.key.partition, committedOffset: $0.value)
                    })
            }
        )
        let response = try await connection.send(request)
        for topic in response.topics {
            for partition in topic.partitions where partition.errorCode != 0 {
                throw KafkaClientError.broker(
                    ErrorCode(code: partition.errorCode),
                    context: "commit offsets of group \(groupId) for \(topic.name)-\(partition.partitionIndex)")
            }
        }
    }

    /// The group's committed offsets: of `partitions`, or of every partition it has
    /// committed when nil. A partition without a committed offset is left out.
    static func committedOffsets(
        groupId: String, partitions: [TopicPartition]?, via connection: BrokerConnection
    ) async throws -> [TopicPartition: Int64] {
        let version = try connection.version(for: OffsetFetchRequest.self)
        let byTopic = partitions.map { Dictionary(grouping: $0, by: \.topic) }
        var request = OffsetFetchRequest(groupId: groupId)
        if version >= 8 {
            request.topics = nil
            request.groups = [
                OffsetFetchRequest.OffsetFetchRequestGroup(
                    groupId: groupId,
                    topics: byTopic.map { topics in
                        topics.keys.sorted().map {
                            .init(name: $0, partitionIndexes: topics[$0]!.map(\.partition).sorted())
                        }
                    })
            ]
        } else {
            request.topics = byTopic.map { topics in
                topics.keys.sorted().map { .init(name: $0, partitionIndexes: topics[$0]!.map(\.partition).sorted()) }
            }
        }
        let response = try await connection.send(request, version: version)
        var result: [TopicPartition: Int64] = [:]
        func take(_ topic: String, _ partition: Int32, _ offset: Int64, _ code: Int16) throws {
            guard code == 0 else {
                throw KafkaClientError.broker(
                    ErrorCode(code: code),
                    context: "fetch committed offsets of group \(groupId) for \(topic)-\(partition)")
            }
            if offset >= 0 { result[TopicPartition(topic: topic, partition: partition)] = offset }
        }
        if version >= 8 {
            guard let group = response.groups.first(where: { $0.groupId == groupId }) else { return [:] }
            guard group.errorCode == 0 else {
                throw KafkaClientError.broker(
                    ErrorCode(code: group.errorCode), context: "fetch committed offsets of group \(groupId)")
            }
            for topic in group.topics {
                for entry in topic.partitions {
                    try take(topic.name, entry.partitionIndex, entry.committedOffset, entry.errorCode)
                }
            }
        } else {
            guard response.errorCode == 0 else {
                throw KafkaClientError.broker(
                    ErrorCode(code: response.errorCode), context: "fetch committed offsets of group \(groupId)")
            }
            for topic in response.topics {
                for entry in topic.partitions {
                    try take(topic.name, entry.partitionIndex, entry.committedOffset, entry.errorCode)
                }
            }
        }
        return result
    }
}
