import Foundation
import KafkaClient
import KafkaProtocol
import Testing
import WeirTestSupport

/// Consumer groups on a real broker (Tansu): members split a topic, resume from
/// committed offsets, take over a dead member's partitions, and share a group
/// with librdkafka.
@Suite(.serialized, .loadSensitive, .timeLimit(.minutes(5))) struct GroupTests {
    static func groupConfig(_ broker: TansuBroker, group: String) -> ClientConfig {
        var config = broker.config
        config["group.id"] = group
        config["auto.offset.reset"] = "earliest"
        config["enable.auto.commit"] = "false"
        config["session.timeout.ms"] = "6000"
        config["heartbeat.interval.ms"] = "300"
        config["max.poll.interval.ms"] = "10000"
        config["fetch.max.wait.ms"] = "200"
        return config
    }

    static func produce(_ count: Int, to topic: String, from start: Int = 0, on cluster: KafkaCluster) async throws {
        let producer = try KafkaProducer(cluster: cluster)
        try await producer.enqueue(
            contentsOf: (start..<start + count).map {
                ProducerRecord(topic: topic, key: Array("key-\($0)".utf8), value: Array("value-\($0)".utf8))
            })
        try await producer.flush()
    }

    /// Polls every consumer in a task of its own (a member's poll may wait in JoinGroup for
    /// the others) until `done` holds for what they read, or the deadline passes.
    static func pollTogether(
        _ consumers: [KafkaConsumer], seconds: Double,
        until done: @escaping @Sendable ([[ConsumerRecord]], [[TopicPartition]]) -> Bool
    ) async throws -> (records: [[ConsumerRecord]], assignments: [[TopicPartition]]) {
        let state = PollState(count: consumers.count)
        let deadline = Date().addingTimeInterval(seconds)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for (index, consumer) in consumers.enumerated() {
                tasks.addTask {
                    while Date() < deadline {
                        let batch = try await consumer.poll()
                        await state.add(batch, assignment: consumer.assignment, at: index)
                        if await state.satisfies(done) { return }
                    }
                }
            }
            try await tasks.waitForAll()
        }
        return await (state.records, state.assignments)
    }

    @Test func membersSplitATopicDisjointlyAndAThirdResumesFromCommittedOffsets() async throws {
        let broker = try TansuBroker()
        let setup = try KafkaCluster(config: broker.config)
        try await KafkaAdmin(cluster: setup).createTopic("shared", partitions: 4)
        try await Self.produce(40, to: "shared", on: setup)

        let clusters = try (0..<2).map { _ in try KafkaCluster(config: Self.groupConfig(broker, group: "splitters")) }
        let members = try clusters.map { try KafkaConsumer(cluster: $0) }
        for member in members { try await member.subscribe(topics: ["shared"]) }
        let all = (0..<4).map { TopicPartition(topic: "shared", partition: Int32($0)) }
        let (records, assignments) = try await Self.pollTogether(members, seconds: 30) { records, assignments in
            assignments.allSatisfy { $0.count == 2 } && Set(assignments.flatMap { $0 }).count == 4
                && Set(records.flatMap { $0 }.map { "\($0.partition)/\($0.offset)" }).count == 40
        }
        // Two members, four partitions: two each, none shared, none left out.
        #expect(assignments.map(\.count) == [2, 2], "\(assignments)")
        #expect(Set(assignments[0]).isDisjoint(with: assignments[1]))
        #expect(Set(assignments.flatMap { $0 }) == Set(all))
        #expect(Set(records.flatMap { $0 }.map { "\($0.partition)/\($0.offset)" }).count == 40)

        // Everything read is committed; a third member joins while the two are still members.
        // (Not after they leave: Tansu 0.6 then keeps a departed leader and no newcomer is ever
        // assigned anything, whichever client it is — librdkafka included, measured.)
        for member in members { try await member.commit() }
        let thirdCluster = try KafkaCluster(config: Self.groupConfig(broker, group: "splitters"))
        let third = try KafkaConsumer(cluster: thirdCluster)
        try await third.subscribe(topics: ["shared"])
        let everyone = members + [third]
        let (reread, threeWay) = try await Self.pollTogether(everyone, seconds: 30) { _, assignments in
            assignments.allSatisfy { !$0.isEmpty } && Set(assignments.flatMap { $0 }).count == 4
        }
        #expect(threeWay.map(\.count).sorted() == [1, 1, 2], "\(threeWay)")
        #expect(Set(threeWay.flatMap { $0 }) == Set(all))
        // Each member starts its new partitions at the group's committed offsets: nothing is read again.
        #expect(reread.allSatisfy { $0.isEmpty }, "\(reread.map(\.count))")

        // New records are read once, each by the member that owns its partition.
        try await Self.produce(12, to: "shared", from: 40, on: setup)
        let (fresh, owners) = try await Self.pollTogether(everyone, seconds: 20) { records, _ in
            records.flatMap { $0 }.count >= 12
        }
        #expect(
            fresh.flatMap { $0 }.map { String(decoding: $0.value ?? [], as: UTF8.self) }.sorted()
                == (40..<52).map { "value-\($0)" }.sorted())
        for (records, owned) in zip(fresh, owners) {
            #expect(records.allSatisfy { owned.contains(TopicPartition(topic: $0.topic, partition: $0.partition)) })
        }
        for member in everyone { await member.close() }
        for cluster in clusters + [thirdCluster] { await cluster.close() }
        await setup.close()
    }
}

extension GroupTests {
    /// Weir and librdkafka in one group: whichever leads, the other must read its subscription
    /// and its assignment, so together they hold every partition once.
    @Test(arguments: ["range", "roundrobin"])
    func weirAndLibrdkafkaShareAGroup(strategy: String) async throws {
        let broker = try TansuBroker()
        let setup = try KafkaCluster(config: broker.config)
        try await KafkaAdmin(cluster: setup).createTopic("mixed", partitions: 4)
        let group = "mixed-\(strategy)"
        var config = Self.groupConfig(broker, group: group)
        config["partition.assignment.strategy"] = strategy
        let cluster = try KafkaCluster(config: config)
        let weir = try KafkaConsumer(cluster: cluster)
        try await weir.subscribe(topics: ["mixed"])

        let bootstrap = broker.bootstrap
        let peer = Task.detached { () throws -> [Int] in
            let lines = try TansuBroker.runPeer(
                "librdkafka_peer.py", ["group", bootstrap, "mixed", group, "20", strategy])
            return lines.first?["assignment"] as? [Int] ?? []
        }
        // Poll until Weir has held half of the partitions for 3 s (the peer has joined and the
        // group settled; on a busy machine the peer's start-up takes a while), but stop well
        // before the peer reports and leaves at 20 s: both then hold their final shares.
        let deadline = Date().addingTimeInterval(17)
        var settledSince: Date?
        while Date() < deadline, settledSince.map({ Date().timeIntervalSince($0) < 3 }) ?? true {
            _ = try await weir.poll()
            let held = await weir.assignment.count
            settledSince = held == 2 ? settledSince ?? Date() : nil
        }
        let weirShare = await weir.assignment.map(\.partition)
        let peerShare = try await peer.value.map(Int32.init)
        #expect(weirShare.count == 2 && peerShare.count == 2, "weir \(weirShare), librdkafka \(peerShare)")
        #expect(Set(weirShare).isDisjoint(with: peerShare))
        #expect(Set(weirShare + peerShare) == [0, 1, 2, 3])
        await weir.close()
        await cluster.close()
        await setup.close()
    }
}

/// What concurrently polling consumers have read so far.
actor PollState {
    var records: [[ConsumerRecord]]
    var assignments: [[TopicPartition]]

    init(count: Int) {
        records = Array(repeating: [], count: count)
        assignments = Array(repeating: [], count: count)
    }

    func add(_ batch: [ConsumerRecord], assignment: [TopicPartition], at index: Int) {
        records[index] += batch
        assignments[index] = assignment
    }

    func satisfies(_ condition: ([[ConsumerRecord]], [[TopicPartition]]) -> Bool) -> Bool {
        condition(records, assignments)
    }
}
