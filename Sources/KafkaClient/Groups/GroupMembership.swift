import KafkaProtocol

/// One consumer's membership in a group under the classic protocol, as a
/// plain value: `handle(_:)` takes what happened and says what to do next.
/// `GroupMember` performs the actions (the requests, the waits) and feeds the
/// answers back, so every error path here is testable without a broker.
///
/// The life of a member:
/// ```
///   unjoined ──findCoordinator──▶ joining ──JoinGroup ok──▶ syncing ──SyncGroup ok──▶ stable
///      ▲                           │  ▲ MEMBER_ID_REQUIRED: again with the id given     │
///      │                           └──┘ UNKNOWN_MEMBER_ID: again with no id              │
///      └──────── rebalance (heartbeat says REBALANCE_IN_PROGRESS, ...) ◀─────────────────┘
/// ```
/// A rebalance is noticed by the heartbeat and carried out by the next
/// `ensureActive` (the consumer's poll), which revokes the old assignment first.
struct GroupMembership: Sendable {
    enum Phase: Equatable, Sendable {
        case unjoined
        case joining
        case syncing
        case stable
        case closed
    }

    /// What the I/O layer reports.
    enum Event: Sendable {
        /// The consumer wants an active membership (each poll).
        case activeRequested
        case coordinatorFound
        /// FindCoordinator failed or the coordinator stopped answering.
        case coordinatorUnavailable(KafkaClientError)
        case joinAnswered(JoinAnswer)
        case syncAnswered(ErrorCode, assignment: [TopicPartition])
        case heartbeatAnswered(ErrorCode)
        case closeRequested
    }

    struct JoinAnswer: Sendable {
        var error: ErrorCode
        var memberId: String
        var generationId: Int32
        var leaderId: String
        var protocolName: String?
        /// Every member's subscription; only the leader receives them.
        var members: [GroupMemberSubscription]
    }

    /// What the I/O layer should do next.
    enum Action: Equatable, Sendable {
        /// Nothing: the membership is stable (or the event needs no answer).
        case none
        case findCoordinator
        /// Commit (if auto-commit is on) and drop the current assignment, then send JoinGroup.
        case revokeAndJoin
        case join
        /// Leader: compute the assignment with this strategy, then SyncGroup with it.
        case assignAndSync(protocolName: String, members: [GroupMemberSubscription])
        /// Follower: SyncGroup with no assignments.
        case sync
        /// SyncGroup gave this assignment: look up committed offsets and start fetching.
        case adopt([TopicPartition])
        /// Wait `retry.backoff.ms`, then report `.activeRequested` again; the error is
        /// why (nil for a coordinator that asked to wait), reported if waiting goes on too long.
        case backOff(KafkaClientError?)
        case fail(KafkaClientError)
        /// Send LeaveGroup (if a member), then stop.
        case leave
    }

    let groupId: String
    private(set) var phase: Phase = .unjoined
    /// Given by the coordinator; empty until the first JoinGroup answer.
    private(set) var memberId = ""
    private(set) var generationId: Int32 = -1
    private(set) var isLeader = false
    private(set) var coordinatorKnown = false
    /// Set by the heartbeat: the next `activeRequested` rejoins.
    private(set) var rejoinNeeded = false
    /// The partitions adopted in the current generation.
    private(set) var assignment: [TopicPartition] = []

    init(groupId: String) {
        self.groupId = groupId
    }

    mutating func handle(_ event: Event) -> Action {
        guard phase != .closed else {
            if case .closeRequested = event { return .none }
            return .fail(.closed)
        }
        switch event {
        case .activeRequested:
            if !coordinatorKnown { return .findCoordinator }
            switch phase {
            case .stable where rejoinNeeded:
                return startJoin(revoking: true)
            case .stable:
                return .none
            case .unjoined, .joining, .syncing:
                return startJoin(revoking: !assignment.isEmpty)
            case .closed:
                return .fail(.closed)
            }

        case .coordinatorFound:
            coordinatorKnown = true
            return handle(.activeRequested)

        case let .coordinatorUnavailable(error):
            coordinatorKnown = false
            if phase == .stable { rejoinNeeded = true }
            return .backOff(error)

        case let .joinAnswered(answer):
            return joinAnswered(answer)

        case let .syncAnswered(code, partitions):
            switch code {
            case .none:
                phase = .stable
                rejoinNeeded = false
                assignment = partitions
                return .adopt(partitions)
            default:
                return rejoinOrFail(code, context: "SyncGroup")
            }

        case let .heartbeatAnswered(code):
            guard phase == .stable else { return .none }
            switch code {
            case .none:
                return .none
            case .rebalanceInProgress, .illegalGeneration:
                rejoinNeeded = true
                return .none
            case .unknownMemberId:
                memberId = ""
                rejoinNeeded = true
                return .none
            case .notCoordinator, .coordinatorNotAvailable:
                coordinatorKnown = false
                rejoinNeeded = true
                return .none
            default:
                return .fail(.broker(code, context: "heartbeat in group \(groupId)"))
            }

        case .closeRequested:
            let wasMember = !memberId.isEmpty && coordinatorKnown
            phase = .closed
            assignment = []
            return wasMember ? .leave : .none
        }
    }

    private mutating func startJoin(revoking: Bool) -> Action {
        phase = .joining
        rejoinNeeded = false
        isLeader = false
        if revoking {
            assignment = []
            return .revokeAndJoin
        }
        return .join
    }

    private mutating func joinAnswered(_ answer: JoinAnswer) -> Action {
        switch answer.error {
        case .none:
            memberId = answer.memberId
            generationId = answer.generationId
            isLeader = answer.leaderId == answer.memberId
            phase = .syncing
            if isLeader {
                return .assignAndSync(protocolName: answer.protocolName ?? "", members: answer.members)
            }
            return .sync
        case .memberIdRequired:
            // KIP-394: the coordinator names us and wants the same JoinGroup again with that id.
            memberId = answer.memberId
            return .join
        default:
            return rejoinOrFail(answer.error, context: "JoinGroup")
        }
    }

    /// The answer to a failed JoinGroup or SyncGroup: join again, find the coordinator, or give up.
    private mutating func rejoinOrFail(_ code: ErrorCode, context: String) -> Action {
        phase = .unjoined
        switch code {
        case .unknownMemberId:
            memberId = ""
            phase = .joining
            return .join
        case .illegalGeneration, .rebalanceInProgress:
            phase = .joining
            return .join
        case .coordinatorLoadInProgress:
            return .backOff(nil)
        case .notCoordinator, .coordinatorNotAvailable:
            coordinatorKnown = false
            return .backOff(.broker(code, context: "\(context) in group \(groupId)"))
        default:
            return .fail(.broker(code, context: "\(context) in group \(groupId)"))
        }
    }
}
