import Foundation
import KafkaProtocol

/// Settings of a consumer group member, by the Java client's and librdkafka's names.
struct GroupSettings: Sendable {
    var groupId: String
    var groupInstanceId: String?
    /// `session.timeout.ms` (default 45 s): the coordinator drops a member silent this long.
    var sessionTimeoutMs: Int
    /// `max.poll.interval.ms` (default 300 s): how long a rebalance waits for members to rejoin.
    var rebalanceTimeoutMs: Int
    /// `heartbeat.interval.ms` (default 3 s).
    var heartbeatIntervalMs: Int
    /// `retry.backoff.ms` (default 100 ms): the pause before retrying a coordinator request.
    var retryBackoffMs: Int
    /// `partition.assignment.strategy` (default `range,roundrobin`), in order of preference.
    var assignors: [PartitionAssignor]

    init(config: ClientConfig) throws(KafkaClientError) {
        guard let groupId = config["group.id"], !groupId.isEmpty else {
            throw .configuration("group.id is not set (a consumer group needs one)")
        }
        self.groupId = groupId
        groupInstanceId = config["group.instance.id"]
        sessionTimeoutMs = try config.integer("session.timeout.ms", default: 45_000)
        rebalanceTimeoutMs = try config.integer("max.poll.interval.ms", default: 300_000)
        heartbeatIntervalMs = try config.integer("heartbeat.interval.ms", default: 3_000)
        retryBackoffMs = try config.integer("retry.backoff.ms", default: 100)
        assignors = try PartitionAssignor.parseList(config["partition.assignment.strategy"] ?? "range,roundrobin")
        requestTimeoutMs = try config.requestTimeoutMs()
    }

    private var requestTimeoutMs: Int

    /// How long JoinGroup and SyncGroup may take: the coordinator holds them until the
    /// whole group has (re)joined, up to the rebalance timeout; some brokers (Tansu)
    /// hold a new group's first join for part of the session timeout instead.
    var joinTimeoutMs: Int { max(requestTimeoutMs, rebalanceTimeoutMs, sessionTimeoutMs) + 5_000 }
}

/// Carries out one consumer's group membership (`GroupMembership` decides):
/// FindCoordinator, JoinGroup and SyncGroup, heartbeats in the background,
/// offset commits and LeaveGroup.
///
/// It talks to the coordinator on a connection of its own: a broker handles
/// one request per connection at a time, and JoinGroup is held there until the
/// whole group has joined, which must not stall the fetches of the shared
/// connections (nor another member's requests in the same process).
actor GroupMember {
    let cluster: KafkaCluster
    let settings: GroupSettings
    let topics: [String]
    private var membership: GroupMembership
    private var coordinator: BrokerConnection?
    /// The strategy the coordinator chose, from the latest JoinGroup answer.
    private var protocolName: String?
    private var heartbeatTask: Task<Void, Never>?
    /// A fatal error the heartbeat met, thrown by the next `ensureActive`.
    private var heartbeatFailure: KafkaClientError?
    private let log: DebugLog
    /// The latest error a JoinGroup or SyncGroup answered, for the error when the group never settles.
    private var lastRefusal: ErrorCode = .none

    init(cluster: KafkaCluster, settings: GroupSettings, topics: [String]) {
        self.cluster = cluster
        self.settings = settings
        self.topics = topics.sorted()
        membership = GroupMembership(groupId: settings.groupId)
        log = DebugLog(config: cluster.config)
    }

    var generationId: Int32 { membership.generationId }
    var memberId: String { membership.memberId }
    var isStable: Bool { membership.phase == .stable && !membership.rejoinNeeded }

    /// Brings the membership to stable, joining or rejoining the group as needed.
    ///
    /// - Parameter commitOnRevoke: offsets to commit before giving up the current
    ///   assignment in a rebalance (the consumer's positions, with auto-commit on).
    /// - Returns: the new assignment when it changed, nil when it did not.
    func ensureActive(commitOnRevoke: [TopicPartition: Int64]?) async throws -> [TopicPartition]? {
        if let heartbeatFailure { throw heartbeatFailure }
        var action = membership.handle(.activeRequested)
        // A coordinator that stays unreachable is an error after request.timeout.ms, and a group
        // that never settles one after the join timeout: never a hang.
        let patience = Duration.milliseconds(try cluster.config.requestTimeoutMs())
        let clock = cluster.config.clock
        let started = clock.now()
        var waitingSince: Duration?
        var joins = 0
        while true {
            try Task.checkCancellation()
            log(
                .consumerGroup,
                "group \(settings.groupId) member '\(membership.memberId)' generation \(membership.generationId) \(membership.phase): \(action)"
            )
            switch action {
            case .none:
                return nil
            case .findCoordinator:
                action = await locateCoordinator()
            case .revokeAndJoin, .join:
                if case .revokeAndJoin = action {
                    stopHeartbeats()
                    if let commitOnRevoke, !commitOnRevoke.isEmpty {
                        // Committing fails when the generation already moved on; the records are then read again (at least once).
                        try? await commit(commitOnRevoke, generationId: membership.generationId)
                    }
                }
                joins += 1
                if joins > 2 {
                    // Rejoining again and again: the group is not settling. Pace the attempts, and give up in the end.
                    if clock.now() - started > .milliseconds(settings.joinTimeoutMs) {
                        throw KafkaClientError.groupDidNotSettle(
                            group: settings.groupId, afterMs: settings.joinTimeoutMs,
                            lastError: lastRefusal)
                    }
                    try await clock.sleep(milliseconds: settings.retryBackoffMs)
                }
                action = await join()
            case let .assignAndSync(name, members):
                action = await sync(assignments: try await assign(protocolName: name, members: members))
            case .sync:
                action = await sync(assignments: [:])
            case let .adopt(partitions):
                startHeartbeats()
                return partitions
            case let .backOff(reason):
                let started = waitingSince ?? clock.now()
                waitingSince = started
                if let reason, clock.now() - started > patience { throw reason }
                try await clock.sleep(milliseconds: settings.retryBackoffMs)
                action = membership.handle(.activeRequested)
            case let .fail(error):
                throw error
            case .leave:
                return nil
            }
        }
    }

    /// Commits offsets in the current generation.
    func commit(_ offsets: [TopicPartition: Int64]) async throws {
        try await commit(offsets, generationId: membership.generationId)
    }

    private func commit(_ offsets: [TopicPartition: Int64], generationId: Int32) async throws {
        let connection = try await coordinatorConnection()
        try await GroupRequests.commit(
            offsets, groupId: settings.groupId, generationId: generationId,
            memberId: membership.memberId, groupInstanceId: settings.groupInstanceId, via: connection)
    }

    /// The group's committed offsets for `partitions` (those without one are left out).
    func committedOffsets(for partitions: [TopicPartition]) async throws -> [TopicPartition: Int64] {
        try await GroupRequests.committedOffsets(
            groupId: settings.groupId, partitions: partitions, via: try await coordinatorConnection())
    }

    /// Leaves the group (so its partitions move at once rather than after the
    /// session timeout) and closes the coordinator connection.
    func leave() async {
        stopHeartbeats()
        if case .leave = membership.handle(.closeRequested), let coordinator {
            var request = LeaveGroupRequest(groupId: settings.groupId)
            let version = (try? coordinator.version(for: LeaveGroupRequest.self)) ?? 0
            if version >= 3 {
                request.members = [
                    .init(
                        memberId: membership.memberId, groupInstanceId: settings.groupInstanceId,
                        reason: "consumer closed")
                ]
            } else {
                request.memberId = membership.memberId
            }
            do {
                let response = try await coordinator.send(request, version: version)
                log(
                    .consumerGroup,
                    "LeaveGroup answered \(ErrorCode(code: response.errorCode).name) \(response.members.map { "\($0.memberId): \(ErrorCode(code: $0.errorCode).name)" })"
                )
            } catch {
                log(.consumerGroup, "LeaveGroup failed: \(error)")
            }
        }
        await coordinator?.close()
        coordinator = nil
    }

    // MARK: Steps

    private func locateCoordinator() async -> GroupMembership.Action {
        // The old coordinator moved or failed: find the current one afresh.
        await coordinator?.close()
        coordinator = nil
        do {
            _ = try await coordinatorConnection()
            return membership.handle(.coordinatorFound)
        } catch {
            return membership.handle(.coordinatorUnavailable(Self.clientError(error)))
        }
    }

    private func coordinatorConnection() async throws -> BrokerConnection {
        let connection = try await GroupRequests.coordinatorConnection(
            groupId: settings.groupId, current: coordinator, cluster: cluster)
        coordinator = connection
        return connection
    }

    private func join() async -> GroupMembership.Action {
        let subscription = ConsumerProtocolSubscription(topics: topics).encoded()
        let request = JoinGroupRequest(
            groupId: settings.groupId, sessionTimeoutMs: Int32(settings.sessionTimeoutMs),
            rebalanceTimeoutMs: Int32(settings.rebalanceTimeoutMs), memberId: membership.memberId,
            groupInstanceId: settings.groupInstanceId, protocolType: ConsumerProtocol.protocolType,
            protocols: settings.assignors.map { .init(name: $0.protocolName, metadata: subscription) }
        )
        do {
            let connection = try await coordinatorConnection()
            let response = try await connection.send(request, timeoutMs: settings.joinTimeoutMs)
            protocolName = response.protocolName
            if response.errorCode != 0, response.errorCode != ErrorCode.memberIdRequired.code {
                lastRefusal = ErrorCode(code: response.errorCode)
            }
            log(
                .consumerGroup,
                "JoinGroup answered \(ErrorCode(code: response.errorCode).name): member \(response.memberId), generation \(response.generationId), leader \(response.leader), \(response.members.count) members"
            )
            let members = response.members.map { member in
                GroupMemberSubscription(
                    memberId: member.memberId,
                    topics: (try? ConsumerProtocolSubscription.decode(member.metadata).topics) ?? [])
            }
            return membership.handle(
                .joinAnswered(
                    .init(
                        error: ErrorCode(code: response.errorCode), memberId: response.memberId,
                        generationId: response.generationId,
                        leaderId: response.leader, protocolName: response.protocolName, members: members)))
        } catch {
            return membership.handle(.coordinatorUnavailable(Self.clientError(error)))
        }
    }

    /// The leader's work: the partition counts of every member's topics, then the chosen strategy.
    private func assign(
        protocolName name: String, members: [GroupMemberSubscription]
    ) async throws -> [String: [TopicPartition]] {
        guard let assignor = settings.assignors.first(where: { $0.protocolName == name }) else {
            throw KafkaClientError.configuration(
                "the coordinator chose assignment strategy '\(name)', which this consumer did not offer")
        }
        let wanted = Set(members.flatMap(\.topics)).sorted()
        let metadata = try await cluster.refreshMetadata(topics: wanted)
        let counts = Dictionary(
            metadata.filter { $0.error == .none }.map { ($0.name, $0.partitions.count) },
            uniquingKeysWith: { first, _ in first })
        return assignor.assign(members: members, partitionCounts: counts)
    }

    private func sync(assignments: [String: [TopicPartition]]) async -> GroupMembership.Action {
        let request = SyncGroupRequest(
            groupId: settings.groupId, generationId: membership.generationId, memberId: membership.memberId,
            groupInstanceId: settings.groupInstanceId, protocolType: ConsumerProtocol.protocolType,
            protocolName: protocolName,
            assignments: assignments.sorted { $0.key < $1.key }.map {
                .init(
                    memberId: $0.key,
                    assignment: ConsumerProtocolAssignment(assignedPartitions: TopicPartitions.grouping($0.value))
                        .encoded())
            }
        )
        do {
            let connection = try await coordinatorConnection()
            let response = try await connection.send(request, timeoutMs: settings.joinTimeoutMs)
            let code = ErrorCode(code: response.errorCode)
            log(.consumerGroup, "SyncGroup answered \(code.name), assignment of \(response.assignment.count) bytes")
            if code != .none { lastRefusal = code }
            guard code == .none else { return membership.handle(.syncAnswered(code, assignment: [])) }
            let assignment = try ConsumerProtocolAssignment.decode(response.assignment)
            // Only the subscribed topics: a leader may assign more than asked, which this member could not read.
            let partitions = assignment.assignedPartitions.flatMap { $0.expanded }.filter { topics.contains($0.topic) }
                .sorted()
            return membership.handle(.syncAnswered(.none, assignment: partitions))
        } catch let error as ProtocolError {
            return .fail(.protocolViolation(error, broker: "coordinator of group \(settings.groupId)"))
        } catch {
            return membership.handle(.coordinatorUnavailable(Self.clientError(error)))
        }
    }

    // MARK: Heartbeats

    private func startHeartbeats() {
        stopHeartbeats()
        let interval = Duration.milliseconds(settings.heartbeatIntervalMs)
        let clock = cluster.config.clock
        heartbeatTask = Task { [weak self] in
            while !Task.isCancelled {
                try? await clock.sleep(interval)
                guard !Task.isCancelled, let self, await self.heartbeat() else { return }
            }
        }
    }

    private func stopHeartbeats() {
        heartbeatTask?.cancel()
        heartbeatTask = nil
    }

    /// Sends one heartbeat; false when heartbeats should stop (a rebalance is due, or the member closed).
    private func heartbeat() async -> Bool {
        guard isStable, let coordinator else { return false }
        let generation = membership.generationId
        let request = HeartbeatRequest(
            groupId: settings.groupId, generationId: generation, memberId: membership.memberId,
            groupInstanceId: settings.groupInstanceId)
        let action: GroupMembership.Action
        do {
            let response = try await coordinator.send(request)
            // An answer about a generation we have since left says nothing about the current one.
            guard generation == membership.generationId else { return isStable }
            action = membership.handle(.heartbeatAnswered(ErrorCode(code: response.errorCode)))
        } catch {
            action = membership.handle(.coordinatorUnavailable(Self.clientError(error)))
        }
        if case let .fail(error) = action { heartbeatFailure = error }
        return isStable
    }

    private static func clientError(_ error: Error) -> KafkaClientError {
        error as? KafkaClientError ?? .connectionClosed(broker: "group coordinator")
    }
}
