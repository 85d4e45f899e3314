import Foundation
import KafkaProtocol

/// One consumer group as the coordinator keeps it, as a plain value: its members, its
/// generation and where it is in a rebalance. The coordinator (an actor) feeds it requests
/// and timer expiries and answers the requests it says to answer; waiting requests are
/// the coordinator's, here only their member ids.
///
/// ```
///   Empty ──join──▶ PreparingRebalance ──every member joined (or the rebalance timeout)──▶ CompletingRebalance
///     ▲                 ▲   a member joins, leaves or times out                                │ the leader's SyncGroup
///     └─ last leaves ───┴────────────────────────────────────────────────── Stable ◀───────────┘
/// ```
struct ConsumerGroup: Sendable {
    enum State: String, Sendable {
        case empty = "Empty"
        case preparingRebalance = "PreparingRebalance"
        case completingRebalance = "CompletingRebalance"
        case stable = "Stable"
    }

    struct Member: Sendable {
        var memberId: String
        var groupInstanceId: String?
        var clientId: String
        var clientHost: String
        var sessionTimeoutMs: Int32
        var rebalanceTimeoutMs: Int32
        /// Protocol names with their metadata, in the member's order of preference.
        var protocols: [(name: String, metadata: [UInt8])]
        var assignment: [UInt8] = []
        var lastHeard: ContinuousClock.Instant
        /// Whether it has (re)joined in the rebalance under way.
        var joined = false
        /// Whether it waits for the leader's SyncGroup.
        var awaitingSync = false
    }

    let groupId: String
    private(set) var state: State = .empty
    private(set) var generationId: Int32 = 0
    private(set) var protocolType: String?
    private(set) var protocolName: String?
    private(set) var leaderId: String?
    private(set) var members: [String: Member] = [:]
    /// Member ids given out with MEMBER_ID_REQUIRED (KIP-394), not yet joined, and when.
    private(set) var pendingMembers: [String: ContinuousClock.Instant] = [:]
    /// When the rebalance under way must end, whoever has not rejoined by then is dropped.
    private(set) var rebalanceDeadline: ContinuousClock.Instant?
    /// When a rebalance may complete at the earliest (the initial delay of a new group).
    private(set) var earliestCompletion: ContinuousClock.Instant?

    init(groupId: String) {
        self.groupId = groupId
    }

    var isEmpty: Bool { members.isEmpty }

    // MARK: Joining

    /// What a JoinGroup gets: an answer now, or a wait for the rebalance to complete.
    enum JoinDecision {
        case answer(JoinGroupResponse)
        case wait(memberId: String)
    }

    struct JoinRequest {
        var memberId: String
        var groupInstanceId: String?
        var clientId: String
        var clientHost: String
        var sessionTimeoutMs: Int32
        var rebalanceTimeoutMs: Int32
        var protocolType: String
        var protocols: [(name: String, metadata: [UInt8])]
        /// v4+: a new member first gets its id in a MEMBER_ID_REQUIRED answer.
        var requiresKnownMemberId: Bool
    }

    mutating func join(_ request: JoinRequest, now: ContinuousClock.Instant, initialDelayMs: Int32) -> JoinDecision {
        if let type = protocolType, !isEmpty, type != request.protocolType || !sharesAProtocol(request.protocols) {
            return .answer(
                JoinGroupResponse(errorCode: ErrorCode.inconsistentGroupProtocol.code, memberId: request.memberId))
        }
        var memberId = request.memberId
        if memberId.isEmpty {
            memberId = "\(request.clientId.isEmpty ? "member" : request.clientId)-\(UUID().uuidString.lowercased())"
            if request.requiresKnownMemberId {
                pendingMembers[memberId] = now
                return .answer(JoinGroupResponse(errorCode: ErrorCode.memberIdRequired.code, memberId: memberId))
            }
        } else if members[memberId] == nil, pendingMembers.removeValue(forKey: memberId) == nil {
            return .answer(JoinGroupResponse(errorCode: ErrorCode.unknownMemberId.code, memberId: memberId))
        }
        pendingMembers[memberId] = nil
        let isNew = members[memberId] == nil
        var member =
            members[memberId]
            ?? Member(
                memberId: memberId, groupInstanceId: request.groupInstanceId, clientId: request.clientId,
                clientHost: request.clientHost,
                sessionTimeoutMs: request.sessionTimeoutMs, rebalanceTimeoutMs: request.rebalanceTimeoutMs,
                protocols: [], lastHeard: now)
        member.protocols = request.protocols
        member.sessionTimeoutMs = request.sessionTimeoutMs
        member.rebalanceTimeoutMs = request.rebalanceTimeoutMs
        member.lastHeard = now
        member.joined = true
        member.awaitingSync = false
        members[memberId] = member
        protocolType = request.protocolType
        if state != .preparingRebalance {
            // A new group waits a moment for more members, so they share one first generation.
            let wasEmpty = state == .empty
            startRebalance(now: now)
            if wasEmpty { earliestCompletion = now + .milliseconds(initialDelayMs) }
        } else if isNew, let earliest = earliestCompletion, generationId == 0 {
            // Each new member of a new group extends the initial delay (up to the rebalance timeout).
            earliestCompletion = min(max(earliest, now + .milliseconds(initialDelayMs)), rebalanceDeadline ?? earliest)
        }
        return .wait(memberId: memberId)
    }

    private func sharesAProtocol(_ protocols: [(name: String, metadata: [UInt8])]) -> Bool {
        let names = Set(protocols.map(\.name))
        return members.values.allSatisfy { member in member.protocols.contains { names.contains($0.name) } }
    }

    /// Every member must join again (a member arrived, left or timed out).
    private mutating func startRebalance(now: ContinuousClock.Instant) {
        state = .preparingRebalance
        let timeout = members.values.map(\.rebalanceTimeoutMs).max() ?? 0
        rebalanceDeadline = now + .milliseconds(timeout)
        earliestCompletion = nil
        for id in members.keys {
            members[id]!.awaitingSync = false
        }
    }

    /// Completes the rebalance when every member has rejoined (and any initial delay is over)
    /// or its deadline passed (dropping the members that did not rejoin). Returns each
    /// joined member's JoinGroup answer, and the members dropped.
    mutating func completeJoinIfDue(
        now: ContinuousClock.Instant
    ) -> (answers: [String: JoinGroupResponse], dropped: [String])? {
        guard state == .preparingRebalance else { return nil }
        let deadlinePassed = rebalanceDeadline.map { now >= $0 } ?? true
        let everyoneJoined = members.values.allSatisfy(\.joined)
        if let earliest = earliestCompletion, now < earliest, !deadlinePassed { return nil }
        guard everyoneJoined || deadlinePassed else { return nil }
        let dropped = members.values.filter { !$0.joined }.map(\.memberId)
        for id in dropped { members[id] = nil }
        generationId += 1
        rebalanceDeadline = nil
        earliestCompletion = nil
        guard !members.isEmpty else {
            state = .empty
            protocolName = nil
            leaderId = nil
            return ([:], dropped)
        }
        protocolName = chooseProtocol()
        if leaderId.map({ members[$0] == nil }) ?? true {
            leaderId = members.values.min { $0.lastHeard < $1.lastHeard }?.memberId
        }
        state = .completingRebalance
        var answers: [String: JoinGroupResponse] = [:]
        let everyone = members.values.sorted { $0.memberId < $1.memberId }.map { member in
            JoinGroupResponse.JoinGroupResponseMember(
                memberId: member.memberId, groupInstanceId: member.groupInstanceId,
                metadata: member.protocols.first { $0.name == protocolName }?.metadata ?? [])
        }
        for id in members.keys {
            members[id]!.joined = false
            members[id]!.awaitingSync = true
            answers[id] = JoinGroupResponse(
                generationId: generationId, protocolType: protocolType, protocolName: protocolName,
                leader: leaderId ?? "", memberId: id, members: id == leaderId ? everyone : [])
        }
        return (answers, dropped)
    }

    /// The protocol every member supports that the members prefer most (Kafka's vote: each
    /// member votes for its first choice among the common ones).
    private func chooseProtocol() -> String? {
        var candidates: Set<String>?
        for member in members.values {
            let names = Set(member.protocols.map(\.name))
            candidates = candidates.map { $0.intersection(names) } ?? names
        }
        let common = candidates ?? []
        var votes: [String: Int] = [:]
        for member in members.values {
            if let choice = member.protocols.first(where: { common.contains($0.name) })?.name {
                votes[choice, default: 0] += 1
            }
        }
        return votes.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }?.key
    }

    // MARK: Syncing

    enum SyncDecision {
        case answer(SyncGroupResponse)
        case wait
    }

    /// SyncGroup. The leader's assignments complete the rebalance: the answers for the
    /// members waiting are in the result's second part.
    mutating func sync(
        memberId: String, generationId requested: Int32, assignments: [String: [UInt8]], now: ContinuousClock.Instant
    )
        -> (SyncDecision, [String: SyncGroupResponse])
    {
        guard var member = members[memberId] else { return (.answer(Self.syncError(.unknownMemberId)), [:]) }
        guard requested == generationId else { return (.answer(Self.syncError(.illegalGeneration)), [:]) }
        member.lastHeard = now
        members[memberId] = member
        switch state {
        case .empty: return (.answer(Self.syncError(.unknownMemberId)), [:])
        case .preparingRebalance: return (.answer(Self.syncError(.rebalanceInProgress)), [:])
        case .stable: return (.answer(syncAnswer(for: memberId)), [:])
        case .completingRebalance:
            guard memberId == leaderId else { return (.wait, [:]) }
            for id in members.keys {
                members[id]!.assignment = assignments[id] ?? []
                members[id]!.awaitingSync = false
            }
            state = .stable
            var others: [String: SyncGroupResponse] = [:]
            for id in members.keys where id != memberId { others[id] = syncAnswer(for: id) }
            return (.answer(syncAnswer(for: memberId)), others)
        }
    }

    private func syncAnswer(for memberId: String) -> SyncGroupResponse {
        SyncGroupResponse(
            protocolType: protocolType, protocolName: protocolName, assignment: members[memberId]?.assignment ?? [])
    }

    static func syncError(_ code: ErrorCode) -> SyncGroupResponse { SyncGroupResponse(errorCode: code.code) }

    // MARK: Liveness

    /// Heartbeat: keeps a member alive; tells it when it must rejoin.
    mutating func heartbeat(memberId: String, generationId requested: Int32, now: ContinuousClock.Instant) -> ErrorCode
    {
        guard var member = members[memberId] else { return .unknownMemberId }
        guard requested == generationId else { return .illegalGeneration }
        member.lastHeard = now
        members[memberId] = member
        return state == .preparingRebalance ? .rebalanceInProgress : .none
    }

    /// Removes members (LeaveGroup, or expired sessions); the rest must rejoin. Returns
    /// whether anything changed.
    @discardableResult
    mutating func remove(_ ids: [String], now: ContinuousClock.Instant) -> Bool {
        let present = ids.filter { members[$0] != nil }
        guard !present.isEmpty else { return false }
        for id in present { members[id] = nil }
        if members.isEmpty {
            state = .empty
            generationId += 1
            leaderId = nil
            protocolName = nil
            rebalanceDeadline = nil
        } else if state != .preparingRebalance {
            startRebalance(now: now)
        }
        return true
    }

    /// Members silent past their session timeout (a member waiting in JoinGroup is not
    /// silent: the rebalance deadline covers it), and member ids given out but never used.
    mutating func expire(now: ContinuousClock.Instant) -> [String] {
        let silent = members.values.filter { !$0.joined && now - $0.lastHeard > .milliseconds($0.sessionTimeoutMs) }
            .map(\.memberId)
        pendingMembers = pendingMembers.filter { now - $0.value < .seconds(300) }
        return silent
    }

    /// Members waiting in a SyncGroup that will never be answered (a rebalance started).
    var membersAwaitingSync: [String] { members.values.filter(\.awaitingSync).map(\.memberId) }
}
