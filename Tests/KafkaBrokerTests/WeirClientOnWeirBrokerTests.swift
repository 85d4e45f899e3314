import Foundation
import KafkaClient
import KafkaProtocol
import Testing
import WeirTestSupport

extension BrokerTests {
    /// Weir's client against Weir's broker, for what Tansu (the client's third-party test
    /// broker) does not do: offsets by time, out-of-range resets, members in DescribeGroups,
    /// read_committed filtering, CreatePartitions, DeleteRecords.
    @Suite(.timeLimit(.minutes(2))) struct WeirClientOnWeirBrokerTests {
        static func withCluster(
            _ settings: [String: String] = [:], _ body: (KafkaCluster, String) async throws -> Void
        ) async throws {
            try await TestBroker.with { broker in
                let bootstrap = "127.0.0.1:\(broker.port)"
                let cluster = try KafkaCluster(
                    config: ClientConfig(
                        ["bootstrap.servers": bootstrap, "request.timeout.ms": "10000"].merging(settings) { $1 }))
                do {
                    try await body(cluster, bootstrap)
                } catch {
                    await cluster.close()
                    throw error
                }
                await cluster.close()
            }
        }

        static func produce(
            _ cluster: KafkaCluster, _ topic: String, _ values: [String], partition: Int32 = 0, firstTimestamp: Int64
        ) async throws {
            let producer = try KafkaProducer(cluster: cluster)
            for (index, value) in values.enumerated() {
                try await producer.enqueue(
                    ProducerRecord(
                        topic: topic, value: Array(value.utf8), partition: partition,
                        timestamp: firstTimestamp + Int64(index)))
            }
            try await producer.flush()
        }

        static func readAll(
            _ cluster: KafkaCluster, _ topic: String, from start: OffsetSpec, expecting count: Int,
            settings: [String: String] = [:]
        ) async throws -> [ConsumerRecord] {
            var config = await cluster.config
            for (name, value) in settings { config[name] = value }
            let reader = try KafkaCluster(config: config)
            let consumer = try KafkaConsumer(cluster: reader)
            try await consumer.assign(topic: topic, from: start)
            var records: [ConsumerRecord] = []
            let deadline = ContinuousClock.now + .seconds(10)
            while records.count < count, ContinuousClock.now < deadline { records += try await consumer.poll() }
            await consumer.close()
            await reader.close()
            return records
        }

        @Test func offsetsByTimeAndOutOfRangeResets() async throws {
            try await Self.withCluster { cluster, _ in
                let admin = KafkaAdmin(cluster: cluster)
                try await admin.createTopic("timed", partitions: 1)
                try await Self.produce(cluster, "timed", (0..<10).map { "v\($0)" }, firstTimestamp: 1_700_000_000_000)
                #expect(
                    try await admin.listOffset(topic: "timed", partition: 0, spec: .timestamp(1_700_000_000_004)) == 4)
                #expect(try await admin.listOffset(topic: "timed", partition: 0, spec: .latest) == 10)
                let fromTime = try await Self.readAll(
                    cluster, "timed", from: .timestamp(1_700_000_000_007), expecting: 3)
                #expect(fromTime.map(\.offset) == [7, 8, 9])
                // Past the end: OFFSET_OUT_OF_RANGE, and auto.offset.reset (earliest) starts over.
                let reset = try await Self.readAll(
                    cluster, "timed", from: .offset(50), expecting: 10, settings: ["auto.offset.reset": "earliest"])
                #expect(reset.map(\.offset) == Array(0..<10))
            }
        }

        /// A poll sends the next fetch before it returns; what that fetch brings is handed out
        /// only while it is still next: after a seek the partition is read from where it was
        /// moved to, and records produced meanwhile still come, in order, once each.
        @Test func fetchesSentAheadNeverHandOutStaleRecords() async throws {
            try await Self.withCluster(["max.partition.fetch.bytes": "1"]) { cluster, _ in
                try await KafkaAdmin(cluster: cluster).createTopic("ahead", partitions: 1)
                for start in stride(from: 0, to: 30, by: 10) {
                    try await Self.produce(
                        cluster, "ahead", (start..<(start + 10)).map { "v\($0)" }, firstTimestamp: 1_700_000_000_000)
                }
                let consumer = try KafkaConsumer(cluster: cluster)
                try await consumer.assign(topic: "ahead", from: .earliest)
                var first: [ConsumerRecord] = []
                while first.isEmpty { first = try await consumer.poll() }
                #expect(first.map(\.offset) == Array(0..<10), "one batch per fetch (max.partition.fetch.bytes=1)")
                // The fetch from offset 10 is on its way; the seek makes it stale.
                try await consumer.seek(topic: "ahead", partition: 0, to: .offset(5))
                var read: [Int64] = []
                let deadline = ContinuousClock.now + .seconds(10)
                while read.count < 25, ContinuousClock.now < deadline {
                    read += try await consumer.poll().map(\.offset)
                }
                #expect(read == Array(5..<30), "from the seek on, each offset once, in order")
                await consumer.close()
            }
        }

        @Test func createPartitionsAndDeleteRecords() async throws {
            try await Self.withCluster { cluster, _ in
                let admin = KafkaAdmin(cluster: cluster)
                try await admin.createTopic("grown", partitions: 2)
                try await admin.createPartitions("grown", totalCount: 5)
                #expect(try await admin.describeTopic("grown").partitions.count == 5)
                try await Self.produce(cluster, "grown", (0..<6).map { "r\($0)" }, firstTimestamp: 1)
                #expect(try await admin.deleteRecords(topic: "grown", partition: 0, before: 4) == 4)
                #expect(try await admin.listOffset(topic: "grown", partition: 0, spec: .earliest) == 4)
                let rest = try await Self.readAll(cluster, "grown", from: .earliest, expecting: 2)
                #expect(rest.filter { $0.partition == 0 }.map(\.offset) == [4, 5])
            }
        }

        /// A topic's own settings are told from the defaults (`weir topics describe` lists them
        /// first), and every topic config Kafka defines is described.
        @Test func describedConfigsSayWhichAreTheTopicsOwn() async throws {
            try await Self.withCluster { cluster, _ in
                let admin = KafkaAdmin(cluster: cluster)
                try await admin.createTopic("configured", partitions: 1, configs: ["retention.ms": "3600000"])
                let configs = try await admin.describeConfigs(topic: "configured")
                #expect(configs.filter { !$0.isDefault }.map(\.name) == ["retention.ms"])
                #expect(configs.filter { $0.source == .topic }.map(\.name) == ["retention.ms"])
                #expect(configs.first { $0.name == "compression.type" }?.source == .kafkaDefault)
                #expect(configs.count >= 30, "every topic config Kafka defines")
            }
        }

        @Test func describeGroupsShowsMembersAndTheirAssignments() async throws {
            try await Self.withCluster { cluster, bootstrap in
                try await KafkaAdmin(cluster: cluster).createTopic("watched", partitions: 2)
                let memberCluster = try KafkaCluster(
                    config: ClientConfig([
                        "bootstrap.servers": bootstrap, "group.id": "watchers", "client.id": "watcher-1",
                    ]))
                let member = try KafkaConsumer(cluster: memberCluster)
                try await member.subscribe(topics: ["watched"])
                let deadline = ContinuousClock.now + .seconds(30)
                var description = try await KafkaAdmin(cluster: cluster).describeGroup("watchers")
                while description.state != "Stable" || description.members.first?.assignment.isEmpty != false,
                    ContinuousClock.now < deadline
                {
                    _ = try await member.poll()
                    description = try await KafkaAdmin(cluster: cluster).describeGroup("watchers")
                }
                #expect(
                    description.state == "Stable" && description.protocolType == "consumer"
                        && description.protocolName == "range")
                let only = try #require(description.members.first)
                #expect(description.members.count == 1)
                #expect(only.clientId == "watcher-1" && only.clientHost == "/127.0.0.1")
                #expect(
                    Set(only.assignment) == [
                        TopicPartition(topic: "watched", partition: 0), TopicPartition(topic: "watched", partition: 1),
                    ])
                await member.close()
                await memberCluster.close()
            }
        }

        /// librdkafka writes a committed and an aborted transaction; Weir's consumer with
        /// read_committed sees only the committed one, and without it both.
        @Test func readCommittedDropsAbortedTransactions() async throws {
            try await Self.withCluster { cluster, bootstrap in
                try await KafkaAdmin(cluster: cluster).createTopic("txn-\(1)", partitions: 2)
                let lines = try await TansuBroker.runPeer(
                    "txn_checks.py", ["librdkafka", bootstrap, "txn-1", "weir-readers"])
                #expect(lines.count == 1)
                let committed = try await Self.readAll(
                    cluster, "txn-1", from: .earliest, expecting: 10, settings: ["isolation.level": "read_committed"])
                let values = Set(committed.map { String(decoding: $0.value ?? [], as: UTF8.self) })
                #expect(values == Set((0..<5).flatMap { ["c1-\($0)", "c2-\($0)"] }))
                let everything = try await Self.readAll(
                    cluster, "txn-1", from: .earliest, expecting: 16, settings: ["isolation.level": "read_uncommitted"])
                #expect(everything.count == 16)
            }
        }
    }
}
