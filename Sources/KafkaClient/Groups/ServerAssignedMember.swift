import Foundation
import KafkaProtocol

/// What a consumer needs of its group membership, whichever protocol carries it.
protocol GroupMembershipDriver: Actor {
    /// Joined, and holding what the group gave it (no change waiting to be taken up).
    var isStable: Bool { get }
    /// Joins, heartbeats and takes up changes as needed; returns the new assignment when it
    /// changed (committing `commitOnRevoke` first when partitions are taken away), else nil.
    func ensureActive(commitOnRevoke: [TopicPartition: Int64]?) async throws -> [TopicPartition]?
    func commit(_ offsets: [TopicPartition: Int64]) async throws
    func committedOffsets(for partitions: [TopicPartition]) async throws -> [TopicPartition: Int64]
    func leave() async
}

extension GroupMember: GroupMembershipDriver {}

/// A member of a group of the consumer protocol of KIP-848 (`group.protocol=consumer`): the
/// coordinator assigns; the member heartbeats (ConsumerGroupHeartbeat) at the interval the
/// coordinator gives, reporting what it holds, and takes up each assignment it is sent —
/// giving up partitions first (committing their positions), then saying so at once, so the
/// coordinator can hand them on. Heartbeats go out from `ensureActive`, which the consumer
/// calls at each poll.
///
/// Settings: `group.id`, `group.instance.id`, `group.remote.assignor` (the broker's `uniform`
/// when unset), `max.poll.interval.ms` (the rebalance timeout it reports). `session.timeout.ms`
/// and `heartbeat.interval.ms` are the broker's to decide in this protocol.
actor ServerAssignedMember: GroupMembershipDriver {
    let cluster: KafkaCluster
    let settings: GroupSettings
    let topics: [String]
    private let assignor: String?
    /// Chosen by the member (ConsumerGroupHeartbeat v1); kept across rejoins.
    private let memberId = UUID().uuidString
    /// 0 before joining (and after being fenced); the coordinator's number after.
    private var memberEpoch: Int32 = 0
    private var joined = false
    private var assignment: [TopicPartition] = []
    /// An assignment was taken up and the coordinator has not heard so yet.
    private var acknowledgementDue = false
    private var heartbeatInterval: Duration = .seconds(5)
    private var lastHeartbeat: Duration?
    private var coordinator: BrokerConnection?
    private let log: DebugLog

    init(cluster: KafkaCluster, settings: GroupSettings, topics: [String], assignor: String?) {
        self.cluster = cluster
        self.settings = settings
        self.topics = topics.sorted()
        self.assignor = assignor
        log = DebugLog(config: cluster.config)
    }

    var isStable: Bool { joined && !acknowledgementDue }

    func ensureActive(commitOnRevoke: [TopicPartition: Int64]?) async throws -> [TopicPartition]? {
        let clock = cluster.config.clock
        let due = lastHeartbeat.map { clock.now() - $0 >= heartbeatInterval } ?? true
        guard !joined || acknowledgementDue || due else { return nil }
        let response = try await heartbeat(leaving: false)
        lastHeartbeat = clock.now()
        acknowledgementDue = false
        switch ErrorCode(code: response.errorCode) {
        case .none:
            break
        case .fencedMemberEpoch, .unknownMemberId:
            // Out of the group: rejoin from nothing (what it held is someone else's now).
            log(.consumerGroup, "group \(settings.groupId): \(ErrorCode(code: response.errorCode).name); rejoining")
            memberEpoch = 0
            joined = false
            assignment = []
            return []
        case .coordinatorNotAvailable, .notCoordinator, .coordinatorLoadInProgress:
            await coordinator?.close()
            coordinator = nil
            return nil
        case let code:
            throw KafkaClientError.broker(
                code, context: "group \(settings.groupId) heartbeat" + (response.errorMessage.map { ": \($0)" } ?? ""))
        }
        memberEpoch = response.memberEpoch
        heartbeatInterval = .milliseconds(Int(max(response.heartbeatIntervalMs, 10)))
        joined = true
        guard let given = response.assignment else { return nil }
        var next: [TopicPartition] = []
        for entry in given.topicPartitions {
            guard let name = try await topicName(entry.topicId) else { continue }
            next += entry.partitions.map { TopicPartition(topic: name, partition: $0) }
        }
        next.sort()
        guard next != assignment else { return nil }
        let revoked = Set(assignment).subtracting(next)
        if let commitOnRevoke, !revoked.isEmpty {
            // The positions of what goes (and of what stays: the consumer restarts those from
            // their commits too); a commit that fails means reading again, not losing.
            try? await commit(commitOnRevoke)
        }
        log(.consumerGroup, "group \(settings.groupId) epoch \(memberEpoch): assigned \(next)")
        assignment = next
        acknowledgementDue = true
        return next
    }

    func commit(_ offsets: [TopicPartition: Int64]) async throws {
        try await GroupRequests.commit(
            offsets, groupId: settings.groupId, generationId: memberEpoch, memberId: memberId,
            groupInstanceId: settings.groupInstanceId, via: try await coordinatorConnection())
    }

    func committedOffsets(for partitions: [TopicPartition]) async throws -> [TopicPartition: Int64] {
        try await GroupRequests.committedOffsets(
            groupId: settings.groupId, partitions: partitions, via: try await coordinatorConnection())
    }

    func leave() async {
        if joined { _ = try? await heartbeat(leaving: true) }
        joined = false
        await coordinator?.close()
        coordinator = nil
    }

    // MARK: Requests

    private func heartbeat(leaving: Bool) async throws -> ConsumerGroupHeartbeatResponse {
        let connection = try await coordinatorConnection()
        var owned: [ConsumerGroupHeartbeatRequest.TopicPartitions] = []
        for (topic, partitions) in Dictionary(grouping: assignment, by: \.topic) {
            let id = try await cluster.topic(topic).topicId
            owned.append(.init(topicId: id, partitions: partitions.map(\.partition).sorted()))
        }
        let request = ConsumerGroupHeartbeatRequest(
            groupId: settings.groupId, memberId: memberId,
            memberEpoch: leaving ? (settings.groupInstanceId == nil ? -1 : -2) : memberEpoch,
            instanceId: settings.groupInstanceId, rebalanceTimeoutMs: Int32(settings.rebalanceTimeoutMs),
            // Full details when joining; nil ("unchanged") after.
            subscribedTopicNames: joined ? nil : topics, serverAssignor: joined ? nil : assignor,
            topicPartitions: leaving ? nil : owned)
        return try await connection.send(request)
    }

    /// The name of a topic the coordinator named by id (metadata refreshed once if unknown).
    private func topicName(_ id: KafkaUUID) async throws -> String? {
        for refresh in [false, true] {
            if refresh { _ = try await cluster.refreshMetadata(topics: topics) }
            for topic in topics where try await cluster.topic(topic).topicId == id { return topic }
        }
        return nil
    }

    private func coordinatorConnection() async throws -> BrokerConnection {
        let connection = try await GroupRequests.coordinatorConnection(
            groupId: settings.groupId, current: coordinator, cluster: cluster)
        coordinator = connection
        return connection
    }
}
