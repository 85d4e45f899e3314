import KafkaProtocol

/// A consumer group as ListGroups names it.
public struct GroupListing: Sendable, Equatable {
    public var groupId: String
    /// "consumer" for consumer groups; empty for groups that only commit offsets.
    public var protocolType: String
    /// Stable, PreparingRebalance, CompletingRebalance, Empty, Dead (v4+ brokers; else empty);
    /// for groups of the consumer protocol also Assigning and Reconciling.
    public var state: String
    /// "classic" (JoinGroup/SyncGroup) or "consumer" (KIP-848, the broker assigns), as a broker
    /// of ListGroups v5+ says; empty from older brokers.
    public var type: String = ""
}

/// A consumer group as DescribeGroups describes it.
public struct GroupDescription: Sendable, Equatable {
    public var groupId: String
    public var state: String
    public var protocolType: String
    /// The assignment strategy the coordinator chose ("range", "roundrobin", ...).
    public var protocolName: String
    public var members: [GroupMemberDescription]
}

/// One member of a described group.
public struct GroupMemberDescription: Sendable, Equatable {
    public var memberId: String
    public var groupInstanceId: String?
    public var clientId: String
    public var clientHost: String
    /// Its partitions, when the group speaks the consumer protocol.
    public var assignment: [TopicPartition]
}

/// A group's progress in one partition.
public struct GroupPartitionLag: Sendable, Equatable {
    public var partition: TopicPartition
    /// The group's committed offset (the next record it will read).
    public var committed: Int64
    /// The partition's log end offset (the next offset to be written).
    public var logEnd: Int64
    /// Records written but not yet consumed by the group.
    public var lag: Int64 { max(logEnd - committed, 0) }
}

extension KafkaAdmin {
    /// Every group of the cluster, asking each broker for those it coordinates; sorted by id.
    public func listGroups() async throws -> [GroupListing] {
        try await idempotent {
            var groups: [GroupListing] = []
            for nodeId in try await cluster.brokerIds() {
                let response = try await cluster.connection(toNode: nodeId).send(ListGroupsRequest())
                let code = ErrorCode(code: response.errorCode)
                guard code == .none else {
                    throw KafkaClientError.broker(code, context: "list groups on node \(nodeId)")
                }
                groups += response.groups.map {
                    GroupListing(
                        groupId: $0.groupId, protocolType: $0.protocolType, state: $0.groupState, type: $0.groupType)
                }
            }
            return groups.sorted { $0.groupId < $1.groupId }
        }
    }

    /// One group's state and members, from its coordinator.
    public func describeGroup(_ groupId: String) async throws -> GroupDescription {
        try await idempotent {
            let response = try await cluster.coordinator(forGroup: groupId).send(
                DescribeGroupsRequest(groups: [groupId]))
            guard let group = response.groups.first(where: { $0.groupId == groupId }) else {
                throw KafkaClientError.broker(.groupIdNotFound, context: "describe group \(groupId)")
            }
            let code = ErrorCode(code: group.errorCode)
            guard code == .none else { throw KafkaClientError.broker(code, context: "describe group \(groupId)") }
            return GroupDescription(
                groupId: groupId, state: group.groupState, protocolType: group.protocolType,
                protocolName: group.protocolData,
                members: group.members.map { member in
                    let assignment =
                        group.protocolType == ConsumerProtocol.protocolType
                        ? ((try? ConsumerProtocolAssignment.decode(member.memberAssignment))?.assignedPartitions.flatMap
                        { $0.expanded } ?? [])
                        : []
                    return GroupMemberDescription(
                        memberId: member.memberId, groupInstanceId: member.groupInstanceId,
                        clientId: member.clientId, clientHost: member.clientHost, assignment: assignment.sorted())
                }.sorted { $0.memberId < $1.memberId }
            )
        }
    }

    /// The group's committed offsets (every partition it committed) with each partition's
    /// log end and the lag between them, sorted by partition.
    public func groupLag(_ groupId: String) async throws -> [GroupPartitionLag] {
        try await idempotent {
            let connection = try await cluster.coordinator(forGroup: groupId)
            let committed = try await GroupRequests.committedOffsets(groupId: groupId, partitions: nil, via: connection)
            let ends = try await listOffsets(Array(committed.keys), spec: .latest)
            return committed.keys.sorted().map {
                GroupPartitionLag(partition: $0, committed: committed[$0]!, logEnd: ends[$0] ?? 0)
            }
        }
    }

    /// Commits offsets for a group that has no active members (to move or reset it).
    public func commitGroupOffsets(_ groupId: String, offsets: [TopicPartition: Int64]) async throws {
        try await GroupRequests.commit(
            offsets, groupId: groupId, generationId: -1, memberId: "", groupInstanceId: nil,
            via: try await cluster.coordinator(forGroup: groupId))
    }
}
