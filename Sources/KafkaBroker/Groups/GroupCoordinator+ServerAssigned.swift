import Foundation
import KafkaProtocol

/// The consumer protocol of KIP-848 (`group.protocol=consumer`): ConsumerGroupHeartbeat and
/// ConsumerGroupDescribe, on `ServerAssignedGroup`. A group id is one kind or the other while
/// it has members; classic groups go on beside these.
extension GroupCoordinator {
    func consumerHeartbeat(
        _ request: ConsumerGroupHeartbeatRequest, clientId: String, clientHost: String
    ) -> ConsumerGroupHeartbeatResponse {
        func refusal(_ code: ErrorCode, _ message: String) -> ConsumerGroupHeartbeatResponse {
            ConsumerGroupHeartbeatResponse(errorCode: code.code, errorMessage: message, memberId: request.memberId)
        }
        guard !request.groupId.isEmpty else { return refusal(.invalidGroupId, "the group id is empty") }
        if let classic = classicGroup(request.groupId), !classic.isEmpty {
            return refusal(
                .groupIdNotFound, "group \(request.groupId) is a classic group with members (JoinGroup/SyncGroup)")
        }
        var group = serverAssignedGroups[request.groupId] ?? ServerAssignedGroup(groupId: request.groupId)
        let owned = request.topicPartitions.map { partitions in
            var byName: ServerAssignedGroup.Partitions = [:]
            for entry in partitions {
                guard let topic = topics.topic(id: entry.topicId) else { continue }
                byName[topic.name, default: []].formUnion(entry.partitions)
            }
            return byName
        }
        let answer = group.heartbeat(
            .init(
                memberId: request.memberId, memberEpoch: request.memberEpoch, clientId: clientId,
                clientHost: clientHost, instanceId: request.instanceId, rackId: request.rackId,
                rebalanceTimeoutMs: request.rebalanceTimeoutMs, subscribedTopics: request.subscribedTopicNames,
                subscribedPattern: request.subscribedTopicRegex, serverAssignor: request.serverAssignor, owned: owned),
            now: .now, partitionCount: { [topics] in topics.topic($0)?.partitionCount },
            topicNames: { [topics] in topics.all.filter { !$0.isInternal }.map(\.name) })
        let epochBefore = serverAssignedGroups[request.groupId]?.groupEpoch ?? 0
        serverAssignedGroups[request.groupId] = group.isEmpty && group.groupEpoch == 0 ? nil : group
        if group.groupEpoch != epochBefore {
            logger.info(
                "group \(request.groupId): epoch \(group.groupEpoch) with \(group.members.count) member(s), \(group.assignorName) assignor (consumer protocol)"
            )
        }
        return ConsumerGroupHeartbeatResponse(
            errorCode: answer.errorCode, errorMessage: answer.errorMessage, memberId: answer.memberId,
            memberEpoch: answer.memberEpoch, heartbeatIntervalMs: Int32(config.consumerHeartbeatIntervalMs),
            assignment: answer.assignment.map { assignment in
                .init(
                    topicPartitions: assignment.keys.sorted().compactMap { name in
                        guard let topic = topics.topic(name) else { return nil }
                        return .init(topicId: topic.id, partitions: assignment[name]!.sorted())
                    })
            })
    }

    func consumerDescribe(_ request: ConsumerGroupDescribeRequest) -> ConsumerGroupDescribeResponse {
        ConsumerGroupDescribeResponse(
            groups: request.groupIds.map { id in
                guard let group = serverAssignedGroups[id] else {
                    return .init(
                        errorCode: ErrorCode.groupIdNotFound.code,
                        errorMessage: "no group \(id) of the consumer protocol", groupId: id, groupState: "Dead")
                }
                func described(_ partitions: ServerAssignedGroup.Partitions) -> ConsumerGroupDescribeResponse.Assignment
                {
                    .init(
                        topicPartitions: partitions.keys.sorted().compactMap { name in
                            guard let topic = topics.topic(name), let chosen = partitions[name], !chosen.isEmpty else {
                                return nil
                            }
                            return .init(topicId: topic.id, topicName: name, partitions: chosen.sorted())
                        })
                }
                return .init(
                    groupId: id, groupState: group.state, groupEpoch: group.groupEpoch,
                    assignmentEpoch: group.assignmentEpoch, assignorName: group.assignorName,
                    members: group.members.values.sorted { $0.memberId < $1.memberId }.map { member in
                        .init(
                            memberId: member.memberId, instanceId: member.instanceId, rackId: member.rackId,
                            memberEpoch: member.memberEpoch, clientId: member.clientId, clientHost: member.clientHost,
                            subscribedTopicNames: member.subscribedTopics,
                            subscribedTopicRegex: member.subscribedPattern,
                            assignment: described(member.assigned),
                            targetAssignment: described(group.targetAssignment[member.memberId] ?? [:]))
                    })
            })
    }

    /// A server-assigned group as DescribeGroups shows groups (as Kafka 4 does for tools that
    /// know only the classic view): each member's assignment in the consumer protocol's bytes.
    func classicView(of group: ServerAssignedGroup) -> DescribeGroupsResponse.DescribedGroup {
        .init(
            groupId: group.groupId, groupState: group.state, protocolType: "consumer",
            protocolData: group.assignorName,
            members: group.members.values.sorted { $0.memberId < $1.memberId }.map { member in
                .init(
                    memberId: member.memberId, groupInstanceId: member.instanceId, clientId: member.clientId,
                    clientHost: member.clientHost,
                    memberMetadata: ConsumerProtocolSubscription(topics: member.subscribedTopics).encoded(),
                    memberAssignment: ConsumerProtocolAssignment(
                        assignedPartitions: member.assigned.keys.sorted().map {
                            TopicPartitions(topic: $0, partitions: member.assigned[$0]!.sorted())
                        }
                    ).encoded())
            })
    }
}
