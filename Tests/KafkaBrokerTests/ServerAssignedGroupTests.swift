import Foundation
import KafkaProtocol
import Testing

@testable import KafkaBroker

/// The consumer protocol of KIP-848 as `ServerAssignedGroup` runs it, heartbeat by heartbeat,
/// with the clock and the topics given: revocation before reassignment, epochs, fencing,
/// the two assignors, session expiry.
@Suite struct ServerAssignedGroupTests {
    typealias Partitions = ServerAssignedGroup.Partitions
    let start = ContinuousClock.now
    let counts: [String: Int32] = ["orders": 4, "five": 5]

    func beat(
        _ group: inout ServerAssignedGroup, _ memberId: String, epoch: Int32, topics: [String]? = nil,
        owned: Partitions? = nil, assignor: String? = nil, at seconds: Int = 0
    ) -> ServerAssignedGroup.Answer {
        group.heartbeat(
            .init(
                memberId: memberId, memberEpoch: epoch, clientId: memberId, clientHost: "/127.0.0.1",
                rebalanceTimeoutMs: 30_000, subscribedTopics: topics, serverAssignor: assignor, owned: owned),
            now: start + .seconds(seconds), partitionCount: { counts[$0] })
    }

    /// A second member gets partitions only after the first has said it gave them up: no
    /// partition is ever held by both.
    @Test func partitionsMoveOnlyOnceGivenUp() {
        var group = ServerAssignedGroup(groupId: "g")
        let first = beat(&group, "a", epoch: 0, topics: ["orders"], owned: [:])
        #expect(first.errorCode == 0 && first.assignment == ["orders": [0, 1, 2, 3]])
        let aEpoch = first.memberEpoch
        #expect(aEpoch > 0 && group.state == "Stable")

        let joined = beat(&group, "b", epoch: 0, topics: ["orders"], owned: [:])
        #expect(joined.assignment == [:], "nothing is free while a still holds everything")
        // b has nothing to give up: it is at the new epoch at once, its partitions to come.
        #expect(joined.memberEpoch == group.assignmentEpoch && group.state == "Reconciling")

        // a's next heartbeat is told to keep two partitions (revoke the other two).
        let revoke = beat(&group, "a", epoch: aEpoch, owned: ["orders": [0, 1, 2, 3]])
        let kept = try! #require(revoke.assignment?["orders"])
        #expect(kept.count == 2)
        // b asks again before a has acknowledged: still nothing.
        #expect(
            ServerAssignedGroup.normalized(beat(&group, "b", epoch: joined.memberEpoch, owned: [:]).assignment ?? [:])
                .isEmpty)
        // a acknowledges; b then gets the other two, and both reach the group's epoch.
        let settled = beat(&group, "a", epoch: revoke.memberEpoch, owned: ["orders": kept])
        let taken = beat(&group, "b", epoch: joined.memberEpoch, owned: [:])
        #expect(taken.assignment == ["orders": Set(0..<4).subtracting(kept)])
        #expect(settled.memberEpoch == group.assignmentEpoch && taken.memberEpoch == group.assignmentEpoch)
        #expect(group.state == "Stable")

        // b leaves (epoch -1): a is given back everything.
        #expect(beat(&group, "b", epoch: -1).memberEpoch == -1)
        let back = beat(&group, "a", epoch: settled.memberEpoch, owned: ["orders": kept])
        #expect(back.assignment == ["orders": [0, 1, 2, 3]])
    }

    @Test func aStaleEpochIsFencedAndAStrangerUnknown() {
        var group = ServerAssignedGroup(groupId: "g")
        let joined = beat(&group, "a", epoch: 0, topics: ["orders"], owned: [:])
        let fenced = beat(&group, "a", epoch: joined.memberEpoch + 5)
        #expect(fenced.errorCode == ErrorCode.fencedMemberEpoch.code)
        #expect(beat(&group, "who", epoch: 3).errorCode == ErrorCode.unknownMemberId.code)
        #expect(
            beat(&group, "b", epoch: 0, topics: ["orders"], assignor: "sticky").errorCode
                == ErrorCode.unsupportedAssignor.code)
        #expect(group.commitCheck(memberId: "a", epoch: joined.memberEpoch) == .none)
        #expect(group.commitCheck(memberId: "a", epoch: joined.memberEpoch - 1) == .staleMemberEpoch)
    }

    @Test func rangeGivesContiguousRangesAndUniformMovesLittle() {
        let members = ["a", "b"].map {
            ServerAssignedGroup.Member(
                memberId: $0, memberEpoch: 1, clientId: $0, clientHost: "", namedTopics: ["five"],
                subscribedTopics: ["five"],
                rebalanceTimeoutMs: 1, lastHeard: start)
        }
        let range = ServerAssignedGroup.assign(members: members, partitionCounts: ["five": 5], by: "range")
        #expect(range["a"] == ["five": [0, 1, 2]] && range["b"] == ["five": [3, 4]])

        // uniform: a third member takes one from each of the others; the rest stay put.
        var holding = members
        holding[0].assigned = ["five": [0, 1, 2]]
        holding[1].assigned = ["five": [3, 4]]
        holding.append(
            ServerAssignedGroup.Member(
                memberId: "c", memberEpoch: 0, clientId: "c", clientHost: "", namedTopics: ["five"],
                subscribedTopics: ["five"],
                rebalanceTimeoutMs: 1, lastHeard: start))
        let uniform = ServerAssignedGroup.assign(members: holding, partitionCounts: ["five": 5], by: "uniform")
        let sizes = uniform.values.map { $0["five"]?.count ?? 0 }.sorted()
        #expect(sizes == [1, 2, 2])
        #expect(uniform["a"]!["five"]!.isSubset(of: [0, 1, 2]) && uniform["b"]!["five"]! == [3, 4])
        let all = uniform.values.reduce(into: Set<Int32>()) { $0.formUnion($1["five"] ?? []) }
        #expect(all == Set(0..<5))
    }

    @Test func aSilentMemberIsRemovedAndItsPartitionsGoToTheOthers() {
        var group = ServerAssignedGroup(groupId: "g")
        let a = beat(&group, "a", epoch: 0, topics: ["orders"], owned: [:])
        _ = beat(&group, "b", epoch: 0, topics: ["orders"], owned: [:], at: 1)
        let revoke = beat(&group, "a", epoch: a.memberEpoch, owned: a.assignment, at: 2)
        let kept = try! #require(revoke.assignment)
        let settled = beat(&group, "a", epoch: revoke.memberEpoch, owned: kept, at: 40)
        // b was last heard at second 1: at second 47 it is past the 45 s session timeout, a is not.
        #expect(group.expire(now: start + .seconds(47), sessionTimeoutMs: 45_000) == ["b"])
        let alone = beat(&group, "a", epoch: settled.memberEpoch, owned: kept, at: 47)
        #expect(alone.assignment == ["orders": [0, 1, 2, 3]])
    }

    /// A member subscribed by pattern (`SubscribedTopicRegex`) gets the topics it matches as
    /// a whole name, and a matching topic created later joins its subscription.
    @Test func aPatternSubscriptionFollowsTheTopicsThereAre() {
        var group = ServerAssignedGroup(groupId: "g")
        var names = ["rx-a", "other", "prefix-rx-a"]
        let counts: [String: Int32] = ["rx-a": 2, "rx-b": 1, "other": 3, "prefix-rx-a": 1]
        func beat(epoch: Int32, pattern: String? = nil, owned: Partitions?) -> ServerAssignedGroup.Answer {
            group.heartbeat(
                .init(
                    memberId: "m", memberEpoch: epoch, clientId: "m", clientHost: "", rebalanceTimeoutMs: 1,
                    subscribedTopics: nil, subscribedPattern: pattern, serverAssignor: nil, owned: owned),
                now: start, partitionCount: { counts[$0] }, topicNames: { names })
        }
        let joined = beat(epoch: 0, pattern: "rx-.*", owned: [:])
        #expect(joined.errorCode == 0 && joined.assignment == ["rx-a": [0, 1]], "\(joined)")
        names.append("rx-b")
        let grown = beat(epoch: joined.memberEpoch, owned: joined.assignment)
        #expect(grown.assignment == ["rx-a": [0, 1], "rx-b": [0]])
        #expect(group.members["m"]?.subscribedTopics == ["rx-a", "rx-b"])
    }

    /// A member that never gives up what it was told to is removed after its rebalance
    /// timeout, and a claim to partitions it was never given is not believed.
    @Test func aMemberThatHoldsOnIsRemovedAndClaimsAreNotBelieved() {
        var group = ServerAssignedGroup(groupId: "g")
        let a = beat(&group, "a", epoch: 0, topics: ["orders"], owned: [:])
        let b = beat(&group, "b", epoch: 0, topics: ["orders"], owned: ["orders": [0, 1, 2, 3]])
        #expect(ServerAssignedGroup.normalized(b.assignment ?? [:]).isEmpty, "b's claim gets it nothing")
        let told = beat(&group, "a", epoch: a.memberEpoch, owned: a.assignment)
        #expect(told.assignment?["orders"]?.count == 2)
        // a keeps reporting all four: past its rebalance timeout (30 s here) it is removed.
        _ = beat(&group, "a", epoch: told.memberEpoch, owned: a.assignment, at: 10)
        #expect(group.expire(now: start + .seconds(31), sessionTimeoutMs: 45_000) == ["a"])
    }

    /// uniform spreads partitions over members across topics, not per topic.
    @Test func uniformBalancesAcrossTopics() {
        let topics = (0..<6).map { "t\($0)" }
        let members = ["a", "b", "c"].map {
            ServerAssignedGroup.Member(
                memberId: $0, memberEpoch: 1, clientId: $0, clientHost: "", namedTopics: topics,
                subscribedTopics: topics, rebalanceTimeoutMs: 1, lastHeard: start)
        }
        let result = ServerAssignedGroup.assign(
            members: members, partitionCounts: Dictionary(uniqueKeysWithValues: topics.map { ($0, 1) }), by: "uniform")
        #expect(result.values.map { $0.values.reduce(0) { $0 + $1.count } }.sorted() == [2, 2, 2])
    }

    @Test func patternsThatBacktrackWithoutEndAreRefused() {
        for usual in [#"^rx-.*"#, #"^orders\..*"#, "topic-(a|b)", "(foo|bar)-.*", "^[a-z]+-events$", "[(]+x", #"a\(+"#]
        {
            #expect(ServerAssignedGroup.problem(with: usual) == nil, "\(usual)")
        }
        for hostile in [
            "(a+)+$", "([a-z]*)*x", "(.|.)*x", #"(\w|\d)+x"#, "((a+))+", "(?:(a+))+", ".*.*.*.*x", "(unclosed",
        ] {
            #expect(ServerAssignedGroup.problem(with: hostile) != nil, "\(hostile)")
        }
    }

    /// A member that says nothing of what it owns (nil: unchanged) is still holding what it
    /// was told to give up: no one else gets it until it says so.
    @Test func silenceAboutOwnedPartitionsIsNotGivingThemUp() {
        var group = ServerAssignedGroup(groupId: "g")
        let a = beat(&group, "a", epoch: 0, topics: ["orders"], owned: [:])
        let b = beat(&group, "b", epoch: 0, topics: ["orders"], owned: [:])
        let told = beat(&group, "a", epoch: a.memberEpoch, owned: nil)
        #expect(told.assignment?["orders"]?.count == 2)
        // a keeps quiet about what it owns; b asks again and again.
        for _ in 0..<3 {
            _ = beat(&group, "a", epoch: told.memberEpoch, owned: nil)
            let asked = beat(&group, "b", epoch: b.memberEpoch, owned: [:])
            #expect(ServerAssignedGroup.normalized(asked.assignment ?? [:]).isEmpty)
        }
        _ = beat(&group, "a", epoch: told.memberEpoch, owned: told.assignment)
        #expect(beat(&group, "b", epoch: b.memberEpoch, owned: [:]).assignment?["orders"]?.count == 2)
    }
}
