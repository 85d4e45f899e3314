import Foundation
import KafkaLog
import KafkaProtocol
import Logging

/// The group coordinator: JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit,
/// OffsetFetch, ListGroups, DescribeGroups, OffsetDelete. The protocol's logic is in
/// `ConsumerGroup` (a plain value per group); this actor keeps the requests that wait
/// (JoinGroup until the whole group has joined, SyncGroup until the leader has assigned),
/// runs the timers, and stores offsets (`OffsetStore`), waiting until they are durable
/// before answering a commit.
actor GroupCoordinator {
    let config: BrokerConfig
    let topics: TopicStore
    let logger: Logger
    private var groups: [String: ConsumerGroup] = [:]
    /// Groups of the consumer protocol (KIP-848), where the broker assigns.
    var serverAssignedGroups: [String: ServerAssignedGroup] = [:]
    private var offsetStore: OffsetStore
    /// Requests waiting for an answer, by group and member.
    private var waitingJoins: [String: [String: CheckedContinuation<JoinGroupResponse, Never>]] = [:]
    private var waitingSyncs: [String: [String: CheckedContinuation<SyncGroupResponse, Never>]] = [:]
    /// Makes the offsets log's appends durable under the flush policy.
    private let durability: Durability

    init(config: BrokerConfig, topics: TopicStore, durability: Durability, logger: Logger) throws {
        self.config = config
        self.topics = topics
        self.durability = durability
        self.logger = logger
        offsetStore = try OffsetStore(topics: topics)
    }

    private func group(_ id: String) -> ConsumerGroup { groups[id] ?? ConsumerGroup(groupId: id) }

    /// The classic group of that id, if there is one.
    func classicGroup(_ id: String) -> ConsumerGroup? { groups[id] }

    // MARK: Membership

    func join(
        _ request: JoinGroupRequest, version: Int16, clientId: String, clientHost: String
    ) async -> JoinGroupResponse {
        guard !request.groupId.isEmpty else { return JoinGroupResponse(errorCode: ErrorCode.invalidGroupId.code) }
        guard (config.minSessionTimeoutMs...config.maxSessionTimeoutMs).contains(request.sessionTimeoutMs) else {
            return JoinGroupResponse(errorCode: ErrorCode.invalidSessionTimeout.code, memberId: request.memberId)
        }
        if let other = serverAssignedGroups[request.groupId], !other.isEmpty {
            return JoinGroupResponse(
                errorCode: ErrorCode.inconsistentGroupProtocol.code, memberId: request.memberId)
        }
        var group = self.group(request.groupId)
        let now = ContinuousClock.now
        let decision = group.join(
            .init(
                memberId: request.memberId, groupInstanceId: request.groupInstanceId, clientId: clientId,
                clientHost: clientHost,
                sessionTimeoutMs: request.sessionTimeoutMs,
                rebalanceTimeoutMs: version >= 1 ? request.rebalanceTimeoutMs : request.sessionTimeoutMs,
                protocolType: request.protocolType, protocols: request.protocols.map { ($0.name, $0.metadata) },
                requiresKnownMemberId: version >= 4), now: now, initialDelayMs: config.initialRebalanceDelayMs)
        groups[request.groupId] = group
        switch decision {
        case let .answer(response):
            return response
        case let .wait(memberId):
            // Members waiting in SyncGroup for a generation that will not complete are told to rejoin.
            answerStaleSyncs(request.groupId)
            return await withCheckedContinuation { continuation in
                waitingJoins[request.groupId, default: [:]][memberId] = continuation
                scheduleCompletion(request.groupId)
            }
        }
    }

    /// Completes the group's rebalance if it is due, else checks again at its next deadline.
    private func scheduleCompletion(_ groupId: String) {
        guard var group = groups[groupId] else { return }
        if let (answers, dropped) = group.completeJoinIfDue(now: .now) {
            groups[groupId] = group
            for id in dropped { logger.info("group \(groupId): member \(id) did not rejoin in time and was removed") }
            for (id, response) in answers {
                waitingJoins[groupId]?.removeValue(forKey: id)?.resume(returning: response)
            }
            if !answers.isEmpty {
                logger.info(
                    "group \(groupId): generation \(group.generationId) with \(answers.count) member(s), \(group.protocolName ?? "no") strategy"
                )
            }
            return
        }
        let next = [group.earliestCompletion, group.rebalanceDeadline].compactMap { $0 }.min()
        guard let next else { return }
        Task(executorPreference: BrokerExecutor.shared) {
            try? await Task.sleep(until: next, clock: .continuous)
            await self.scheduleCompletion(groupId)
        }
    }

    private func answerStaleSyncs(_ groupId: String) {
        guard let waiting = waitingSyncs.removeValue(forKey: groupId) else { return }
        for continuation in waiting.values {
            continuation.resume(returning: ConsumerGroup.syncError(.rebalanceInProgress))
        }
    }

    func sync(_ request: SyncGroupRequest, version: Int16) async -> SyncGroupResponse {
        guard groups[request.groupId] != nil else { return ConsumerGroup.syncError(.unknownMemberId) }
        var assignments: [String: [UInt8]] = [:]
        for entry in request.assignments { assignments[entry.memberId] = entry.assignment }
        let (decision, others) = groups[request.groupId]!.sync(
            memberId: request.memberId, generationId: request.generationId,
            assignments: assignments, now: .now)
        for (id, response) in others {
            waitingSyncs[request.groupId]?.removeValue(forKey: id)?.resume(returning: response)
        }
        switch decision {
        case let .answer(response):
            return response
        case .wait:
            return await withCheckedContinuation { waitingSyncs[request.groupId, default: [:]][request.memberId] = $0 }
        }
    }

    func heartbeat(_ request: HeartbeatRequest) -> HeartbeatResponse {
        guard groups[request.groupId] != nil else {
            return HeartbeatResponse(errorCode: ErrorCode.unknownMemberId.code)
        }
        let code = groups[request.groupId]!.heartbeat(
            memberId: request.memberId, generationId: request.generationId, now: .now)
        return HeartbeatResponse(errorCode: code.code)
    }

    func leave(_ request: LeaveGroupRequest, version: Int16) -> LeaveGroupResponse {
        let ids = version >= 3 ? request.members.map(\.memberId) : [request.memberId]
        guard groups[request.groupId] != nil else {
            return LeaveGroupResponse(
                errorCode: version >= 3 ? 0 : ErrorCode.unknownMemberId.code,
                members: request.members.map {
                    .init(
                        memberId: $0.memberId, groupInstanceId: $0.groupInstanceId,
                        errorCode: ErrorCode.unknownMemberId.code)
                })
        }
        let known = Set(ids.filter { groups[request.groupId]!.members[$0] != nil })
        removeMembers(Array(known), from: request.groupId, reason: "left")
        if version < 3 { return LeaveGroupResponse(errorCode: known.isEmpty ? ErrorCode.unknownMemberId.code : 0) }
        return LeaveGroupResponse(
            members: request.members.map {
                .init(
                    memberId: $0.memberId, groupInstanceId: $0.groupInstanceId,
                    errorCode: known.contains($0.memberId) ? 0 : ErrorCode.unknownMemberId.code)
            })
    }

    private func removeMembers(_ ids: [String], from groupId: String, reason: String) {
        guard !ids.isEmpty, groups[groupId]?.remove(ids, now: .now) == true else { return }
        for id in ids {
            logger.info("group \(groupId): member \(id) \(reason)")
            waitingJoins[groupId]?.removeValue(forKey: id)?.resume(
                returning: JoinGroupResponse(errorCode: ErrorCode.unknownMemberId.code, memberId: id))
            waitingSyncs[groupId]?.removeValue(forKey: id)?.resume(returning: ConsumerGroup.syncError(.unknownMemberId))
        }
        answerStaleSyncs(groupId)
        scheduleCompletion(groupId)
    }

    /// Every half second: members silent past their session timeout are removed.
    func runSessionTimeouts() async {
        while !Task.isCancelled {
            try? await Task.sleep(nanoseconds: 500_000_000)
            for groupId in groups.keys {
                let expired = groups[groupId]!.expire(now: .now)
                removeMembers(expired, from: groupId, reason: "timed out (no heartbeat within its session timeout)")
            }
            for groupId in serverAssignedGroups.keys {
                for member in serverAssignedGroups[groupId]!.expire(
                    now: .now, sessionTimeoutMs: config.consumerSessionTimeoutMs)
                {
                    logger.info(
                        "group \(groupId): member \(member) removed (silent past its session timeout, or holding partitions past its rebalance timeout)"
                    )
                }
                // An empty group without committed offsets is forgotten (one with offsets stays
                // a consumer-protocol group, as Kafka keeps it).
                if serverAssignedGroups[groupId]!.isEmpty, !offsetStore.groupsWithOffsets.contains(groupId) {
                    serverAssignedGroups[groupId] = nil
                }
            }
        }
    }

    // MARK: Offsets

    func commit(_ request: OffsetCommitRequest) async -> OffsetCommitResponse {
        func answer(_ code: ErrorCode) -> OffsetCommitResponse {
            OffsetCommitResponse(
                topics: request.topics.map { topic in
                    .init(
                        name: topic.name,
                        partitions: topic.partitions.map {
                            .init(partitionIndex: $0.partitionIndex, errorCode: code.code)
                        })
                })
        }
        let group = groups[request.groupId]
        if let serverAssigned = serverAssignedGroups[request.groupId], !serverAssigned.isEmpty {
            // A member of the consumer protocol commits with its member epoch.
            let verdict = serverAssigned.commitCheck(
                memberId: request.memberId, epoch: request.generationIdOrMemberEpoch)
            if verdict != .none { return answer(verdict) }
        } else if request.generationIdOrMemberEpoch < 0 && request.memberId.isEmpty {
            // A consumer outside any generation (assign mode) may commit for a group without members.
            if let group, !group.isEmpty { return answer(.illegalGeneration) }
        } else {
            guard let group, group.members[request.memberId] != nil else { return answer(.unknownMemberId) }
            guard request.generationIdOrMemberEpoch == group.generationId else { return answer(.illegalGeneration) }
            // Commits of the current generation are taken while a rebalance is announced (members
            // commit before rejoining), not while the leader is assigning.
            if group.state == .completingRebalance { return answer(.rebalanceInProgress) }
        }
        let now = Broker.nowMs()
        var changes: [TopicPartition: OffsetStore.Committed?] = [:]
        var unknown: Set<TopicPartition> = []
        for topic in request.topics {
            for partition in topic.partitions {
                let target = TopicPartition(topic: topic.name, partition: partition.partitionIndex)
                guard topics.log(topic.name, partition.partitionIndex) != nil else {
                    unknown.insert(target)
                    continue
                }
                changes[target] = OffsetStore.Committed(
                    offset: partition.committedOffset, leaderEpoch: partition.committedLeaderEpoch,
                    metadata: partition.committedMetadata, commitTimestamp: now)
            }
        }
        var failure: ErrorCode?
        if !changes.isEmpty {
            do {
                try await storeOffsets(group: request.groupId, changes, now: now)
            } catch {
                logger.error("cannot store offsets of group \(request.groupId): \(error)")
                failure = .kafkaStorageError
            }
        }
        return OffsetCommitResponse(
            topics: request.topics.map { topic in
                .init(
                    name: topic.name,
                    partitions: topic.partitions.map { partition in
                        let target = TopicPartition(topic: topic.name, partition: partition.partitionIndex)
                        return .init(
                            partitionIndex: partition.partitionIndex,
                            errorCode: (unknown.contains(target) ? ErrorCode.unknownTopicOrPartition : failure ?? .none)
                                .code)
                    })
            })
    }

    /// Records commits (nil deletes) and returns once they are durable under the flush policy.
    /// The transaction coordinator calls this when a transaction with offsets commits.
    func storeOffsets(group: String, _ changes: [TopicPartition: OffsetStore.Committed?], now: Int64) async throws {
        let (log, last) = try offsetStore.store(group: group, changes, now: now)
        durability.appended(log, lastOffset: last)
        try await durability.waitUntilDurable(log, offset: last)
    }

    /// Committed offsets: of the partitions asked, or (null topics) of every partition committed.
    func fetchOffsets(_ request: OffsetFetchRequest, version: Int16) -> OffsetFetchResponse {
        func lookup(_ group: String, _ wanted: [(String, [Int32])]?) -> [(String, [(Int32, OffsetStore.Committed?)])] {
            let committed = offsetStore.committed(group: group)
            if let wanted {
                return wanted.map { name, partitions in
                    (name, partitions.map { ($0, committed[TopicPartition(topic: name, partition: $0)]) })
                }
            }
            let byTopic = Dictionary(grouping: committed, by: \.key.topic)
            return byTopic.keys.sorted().map { name in
                (name, byTopic[name]!.sorted { $0.key < $1.key }.map { ($0.key.partition, $0.value) })
            }
        }
        if version >= 8 {
            return OffsetFetchResponse(
                groups: request.groups.map { wanted in
                    .init(
                        groupId: wanted.groupId,
                        topics: lookup(wanted.groupId, wanted.topics?.map { ($0.name, $0.partitionIndexes) }).map {
                            name, partitions in
                            .init(
                                name: name,
                                partitions: partitions.map { index, committed in
                                    .init(
                                        partitionIndex: index, committedOffset: committed?.offset ?? -1,
                                        committedLeaderEpoch: committed?.leaderEpoch ?? -1,
                                        metadata: committed?.metadata ?? "")
                                })
                        })
                })
        }
        return OffsetFetchResponse(
            topics: lookup(request.groupId, request.topics?.map { ($0.name, $0.partitionIndexes) }).map {
                name, partitions in
                .init(
                    name: name,
                    partitions: partitions.map { index, committed in
                        .init(
                            partitionIndex: index, committedOffset: committed?.offset ?? -1,
                            committedLeaderEpoch: committed?.leaderEpoch ?? -1,
                            metadata: committed?.metadata ?? "")
                    })
            })
    }

    func deleteOffsets(_ request: OffsetDeleteRequest) async -> OffsetDeleteResponse {
        if let group = groups[request.groupId], !group.isEmpty {
            return OffsetDeleteResponse(errorCode: ErrorCode.nonEmptyGroup.code)
        }
        guard offsetStore.groupsWithOffsets.contains(request.groupId) else {
            return OffsetDeleteResponse(errorCode: ErrorCode.groupIdNotFound.code)
        }
        var changes: [TopicPartition: OffsetStore.Committed?] = [:]
        for topic in request.topics {
            for partition in topic.partitions {
                changes[TopicPartition(topic: topic.name, partition: partition.partitionIndex)] = .some(nil)
            }
        }
        var code = ErrorCode.none
        do {
            try await storeOffsets(group: request.groupId, changes, now: Broker.nowMs())
        } catch {
            code = .kafkaStorageError
        }
        return OffsetDeleteResponse(
            topics: request.topics.map { topic in
                .init(
                    name: topic.name,
                    partitions: topic.partitions.map { .init(partitionIndex: $0.partitionIndex, errorCode: code.code) })
            })
    }

    // MARK: Listing

    /// Every group with members or committed offsets.
    func list(_ request: ListGroupsRequest) -> ListGroupsResponse {
        var known = Set(groups.keys)
        known.formUnion(offsetStore.groupsWithOffsets)
        known.formUnion(serverAssignedGroups.keys)
        let listed = known.sorted().map { id -> ListGroupsResponse.ListedGroup in
            if let serverAssigned = serverAssignedGroups[id], !serverAssigned.isEmpty || groups[id] == nil {
                return .init(
                    groupId: id, protocolType: "consumer", groupState: serverAssigned.state, groupType: "consumer")
            }
            let group = self.group(id)
            return .init(
                groupId: id, protocolType: group.protocolType ?? (group.isEmpty ? "consumer" : ""),
                groupState: group.state.rawValue, groupType: "classic")
        }
        let states = Set(request.statesFilter.map { $0.lowercased() })
        let types = Set(request.typesFilter.map { $0.lowercased() })
        return ListGroupsResponse(
            groups: listed.filter {
                (states.isEmpty || states.contains($0.groupState.lowercased()))
                    && (types.isEmpty || types.contains($0.groupType.lowercased()))
            })
    }

    func describe(_ request: DescribeGroupsRequest) -> DescribeGroupsResponse {
        DescribeGroupsResponse(
            groups: request.groups.map { id in
                if let serverAssigned = serverAssignedGroups[id], !serverAssigned.isEmpty {
                    return classicView(of: serverAssigned)
                }
                guard let group = groups[id] else {
                    let state = offsetStore.groupsWithOffsets.contains(id) ? "Empty" : "Dead"
                    return .init(groupId: id, groupState: state, protocolType: state == "Empty" ? "consumer" : "")
                }
                return .init(
                    groupId: id, groupState: group.state.rawValue, protocolType: group.protocolType ?? "",
                    protocolData: group.state == .stable ? group.protocolName ?? "" : "",
                    members: group.members.values.sorted { $0.memberId < $1.memberId }.map { member in
                        .init(
                            memberId: member.memberId, groupInstanceId: member.groupInstanceId,
                            clientId: member.clientId,
                            clientHost: member.clientHost,
                            memberMetadata: member.protocols.first { $0.name == group.protocolName }?.metadata ?? [],
                            memberAssignment: member.assignment)
                    })
            })
    }
}
