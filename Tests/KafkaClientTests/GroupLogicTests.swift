import KafkaProtocol
import Testing

@testable import KafkaClient

/// The pure parts of consumer groups and reading: assignors, the membership
/// state machine, the aborted-transaction filter. No broker needed.
@Suite struct GroupLogicTests {
    func partitions(_ topic: String, _ numbers: [Int32]) -> [TopicPartition] {
        numbers.map { TopicPartition(topic: topic, partition: $0) }
    }

    @Test func rangeGivesConsecutiveRangesPerTopicAndTheFirstMembersTheExtra() {
        // Kafka's RangeAssignor documentation: C0 and C1 on t0 and t1 with 3 partitions each.
        let members = [
            GroupMemberSubscription(memberId: "C1", topics: ["t0", "t1"]),
            GroupMemberSubscription(memberId: "C0", topics: ["t0", "t1"]),
        ]
        let result = PartitionAssignor.range.assign(members: members, partitionCounts: ["t0": 3, "t1": 3])
        #expect(result["C0"] == partitions("t0", [0, 1]) + partitions("t1", [0, 1]))
        #expect(result["C1"] == partitions("t0", [2]) + partitions("t1", [2]))
    }

    @Test func roundRobinDealsInTurnSkippingMembersNotSubscribed() {
        // Kafka's RoundRobinAssignor documentation, second example: C0 on t0; C1 on t0, t1; C2 on t0, t1, t2;
        // t0 has 1 partition, t1 2, t2 3.
        let members = [
            GroupMemberSubscription(memberId: "C0", topics: ["t0"]),
            GroupMemberSubscription(memberId: "C1", topics: ["t0", "t1"]),
            GroupMemberSubscription(memberId: "C2", topics: ["t0", "t1", "t2"]),
        ]
        let result = PartitionAssignor.roundRobin.assign(
            members: members, partitionCounts: ["t0": 1, "t1": 2, "t2": 3])
        #expect(result["C0"] == partitions("t0", [0]))
        #expect(result["C1"] == partitions("t1", [0]))
        #expect(result["C2"] == partitions("t1", [1]) + partitions("t2", [0, 1, 2]))
    }

    @Test func everyPartitionIsAssignedExactlyOnce() {
        for assignor in PartitionAssignor.allCases {
            for memberCount in 1...6 {
                let members = (0..<memberCount).map { GroupMemberSubscription(memberId: "m\($0)", topics: ["a", "b"]) }
                let result = assignor.assign(members: members, partitionCounts: ["a": 7, "b": 4, "unsubscribed": 3])
                let all = result.values.flatMap { $0 }
                #expect(all.count == 11 && Set(all).count == 11, "\(assignor) with \(memberCount)")
                #expect(result.count == memberCount)
            }
        }
    }

    @Test func strategiesParseByEitherClientsNames() throws {
        #expect(try PartitionAssignor.parseList("range,roundrobin") == [.range, .roundRobin])
        #expect(
            try PartitionAssignor.parseList("org.apache.kafka.clients.consumer.RoundRobinAssignor") == [.roundRobin])
        #expect(throws: KafkaClientError.self) { try PartitionAssignor.parseList("cooperative-sticky") }
    }

    @Test func aFirstJoinTakesTheMemberIdTheCoordinatorAsksForThenSyncs() {
        var membership = GroupMembership(groupId: "g")
        #expect(membership.handle(.activeRequested) == .findCoordinator)
        #expect(membership.handle(.coordinatorFound) == .join)
        #expect(
            membership.handle(
                .joinAnswered(
                    .init(
                        error: .memberIdRequired, memberId: "m-1", generationId: -1,
                        leaderId: "", protocolName: nil, members: []))) == .join)
        #expect(membership.memberId == "m-1")
        let members = [GroupMemberSubscription(memberId: "m-1", topics: ["t"])]
        #expect(
            membership.handle(
                .joinAnswered(
                    .init(
                        error: .none, memberId: "m-1", generationId: 4, leaderId: "m-1",
                        protocolName: "range", members: members)))
                == .assignAndSync(protocolName: "range", members: members))
        let assigned = [TopicPartition(topic: "t", partition: 0)]
        #expect(membership.handle(.syncAnswered(.none, assignment: assigned)) == .adopt(assigned))
        #expect(membership.phase == .stable && membership.generationId == 4 && membership.isLeader)
        #expect(membership.handle(.activeRequested) == .none)
    }

    @Test func aRebalanceSeenByTheHeartbeatRevokesAndRejoinsAtTheNextPoll() {
        var membership = stableMember()
        #expect(membership.handle(.heartbeatAnswered(.none)) == .none)
        #expect(membership.handle(.heartbeatAnswered(.rebalanceInProgress)) == .none)
        #expect(membership.rejoinNeeded)
        #expect(membership.handle(.activeRequested) == .revokeAndJoin)
        #expect(membership.assignment.isEmpty && membership.phase == .joining)
    }

    @Test func anUnknownMemberStartsOverWithoutItsId() {
        var membership = stableMember()
        _ = membership.handle(.heartbeatAnswered(.unknownMemberId))
        #expect(membership.memberId.isEmpty)
        var syncing = stableMember()
        _ = syncing.handle(.heartbeatAnswered(.rebalanceInProgress))
        _ = syncing.handle(.activeRequested)
        _ = syncing.handle(
            .joinAnswered(
                .init(
                    error: .none, memberId: "m", generationId: 5, leaderId: "other",
                    protocolName: "range", members: [])))
        #expect(syncing.handle(.syncAnswered(.unknownMemberId, assignment: [])) == .join)
        #expect(syncing.memberId.isEmpty)
    }

    @Test func aMovedCoordinatorIsFoundAgainAndFatalErrorsStop() {
        var membership = stableMember()
        _ = membership.handle(.heartbeatAnswered(.notCoordinator))
        #expect(membership.handle(.activeRequested) == .findCoordinator)
        var fenced = stableMember()
        if case .fail = fenced.handle(.heartbeatAnswered(.fencedInstanceId)) {} else { Issue.record("fenced is fatal") }
        var joining = GroupMembership(groupId: "g")
        _ = joining.handle(.activeRequested)
        _ = joining.handle(.coordinatorFound)
        let refused = joining.handle(
            .joinAnswered(
                .init(
                    error: .inconsistentGroupProtocol, memberId: "", generationId: -1,
                    leaderId: "", protocolName: nil, members: [])))
        #expect(refused == .fail(.broker(.inconsistentGroupProtocol, context: "JoinGroup in group g")))
    }

    @Test func closingLeavesOnlyWhenAMember() {
        var member = stableMember()
        #expect(member.handle(.closeRequested) == .leave)
        #expect(member.handle(.activeRequested) == .fail(.closed))
        var stranger = GroupMembership(groupId: "g")
        #expect(stranger.handle(.closeRequested) == .none)
    }

    func stableMember() -> GroupMembership {
        var membership = GroupMembership(groupId: "g")
        _ = membership.handle(.activeRequested)
        _ = membership.handle(.coordinatorFound)
        _ = membership.handle(
            .joinAnswered(
                .init(
                    error: .none, memberId: "m", generationId: 1, leaderId: "other",
                    protocolName: "range", members: [])))
        _ = membership.handle(.syncAnswered(.none, assignment: [TopicPartition(topic: "t", partition: 1)]))
        return membership
    }

    // MARK: read_committed

    func batch(producer: Int64, offsets: ClosedRange<Int64>, transactional: Bool = true) -> RecordBatch {
        RecordBatch(
            records: offsets.map { Record(offset: $0, timestamp: 0, value: [1][...]) }, baseOffset: offsets.lowerBound,
            producerId: producer, isTransactional: transactional)
    }

    func marker(_ kind: ControlRecord.Kind, producer: Int64, at offset: Int64) -> RecordBatch {
        RecordBatch(
            records: [Record(offset: offset, timestamp: 0, key: ControlRecord.markerKey(kind)[...], value: [0][...])],
            baseOffset: offset, producerId: producer, isTransactional: true, isControl: true)
    }

    @Test func abortedTransactionsAreDroppedAndCommittedOnesKept() {
        // Producer 1 commits 0-1, producer 2 aborts 2-3 (interleaved with 1's 4), then producer 2 commits 8.
        var filter = AbortedTransactionFilter([(producerId: 2, firstOffset: 2)])
        let log: [(RecordBatch, Bool)] = [
            (batch(producer: 1, offsets: 0...1), true),
            (batch(producer: 2, offsets: 2...3), false),
            (batch(producer: 1, offsets: 4...4), true),
            (marker(.commit, producer: 1, at: 5), false),
            (marker(.abort, producer: 2, at: 6), false),
            (batch(producer: 3, offsets: 7...7, transactional: false), true),
            (batch(producer: 2, offsets: 8...8), true),
        ]
        for (entry, admitted) in log {
            #expect(filter.admits(entry) == admitted, "batch at \(entry.baseOffset)")
        }
    }
}
