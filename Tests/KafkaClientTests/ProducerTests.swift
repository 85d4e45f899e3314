import Foundation
import KafkaClient
import KafkaProtocol
import Testing
import WeirTestSupport

/// Producer settings against Tansu. (DeleteRecords is not tested here: Tansu 0.6 advertises
/// it but drops the connection, for librdkafka too; it is tested against Weir's own broker.)
@Suite(.serialized, .timeLimit(.minutes(2))) struct ProducerTests {
    static func values(of topic: String, cluster: KafkaCluster, expecting count: Int) async throws -> [ConsumerRecord] {
        let consumer = try KafkaConsumer(cluster: cluster)
        try await consumer.assign(topic: topic, from: .earliest)
        var records: [ConsumerRecord] = []
        let deadline = Date().addingTimeInterval(10)
        while records.count < count, Date() < deadline { records += try await consumer.poll() }
        return records
    }

    @Test(arguments: ["0", "1", "all"])
    func everyAcksSettingDelivers(acks: String) async throws {
        let broker = try TansuBroker()
        var config = broker.config
        config["acks"] = acks
        let cluster = try KafkaCluster(config: config)
        try await KafkaAdmin(cluster: cluster).createTopic("acks", partitions: 1)
        let producer = try KafkaProducer(cluster: cluster)
        let leader = try await cluster.leader(topic: "acks", partition: 0)
        var offsets: [Int64] = []
        for index in 0..<5 {
            offsets.append(
                try await producer.send(ProducerRecord(topic: "acks", value: Array("v\(index)".utf8))).offset)
        }
        // With acks=0 the broker does not answer, so no offset is known.
        #expect(offsets == (acks == "0" ? Array(repeating: -1, count: 5) : [0, 1, 2, 3, 4]))
        // Tansu answers acks=0 produces, which Kafka brokers never do; the answer is ignored, the connection kept.
        try await Task.sleep(nanoseconds: 100_000_000)
        #expect(leader.isActive)
        #expect(try await cluster.leader(topic: "acks", partition: 0) === leader)
        let read = try await Self.values(of: "acks", cluster: cluster, expecting: 5)
        #expect(read.map { String(decoding: $0.value ?? [], as: UTF8.self) } == (0..<5).map { "v\($0)" })
        await cluster.close()
    }
}
