import Foundation
import KafkaClient
import KafkaProtocol
import Testing
import WeirTestSupport

/// What the client does when the broker goes away and comes back.
@Suite(.serialized, .timeLimit(.minutes(2))) struct FailureTests {
    @Test func aStoppedBrokerIsAnErrorWithinTheTimeoutsAndARestartedOneIsUsedAgain() async throws {
        var broker = try TansuBroker()
        let port = broker.port
        var config = broker.config
        config["request.timeout.ms"] = "2000"
        config["socket.connection.setup.timeout.ms"] = "1000"
        config["retries"] = "2"
        config["retry.backoff.ms"] = "100"
        let cluster = try KafkaCluster(config: config)
        try await KafkaAdmin(cluster: cluster).createTopic("events", partitions: 1)
        let producer = try KafkaProducer(cluster: cluster)
        let first = try await producer.send(ProducerRecord(topic: "events", value: Array("before".utf8)))
        #expect(first.offset == 0)

        broker.stop()
        let started = Date()
        do {
            _ = try await producer.send(ProducerRecord(topic: "events", value: Array("while down".utf8)))
            Issue.record("producing to a stopped broker succeeded")
        } catch let error as KafkaClientError {
            #expect(error.isRetriable, "\(error)")
        }
        // Two retries with backoff and one-second connect timeouts: well under the test's bound.
        #expect(Date().timeIntervalSince(started) < 15)

        // The broker comes back on the same address (Tansu's memory storage starts empty).
        broker = try TansuBroker(port: port)
        try await KafkaAdmin(cluster: cluster).createTopic("events", partitions: 1)
        let after = try await producer.send(ProducerRecord(topic: "events", value: Array("after".utf8)))
        #expect(after.partition == 0 && after.offset >= 0)
        let consumer = try KafkaConsumer(cluster: cluster)
        try await consumer.assign(topic: "events", from: .earliest)
        var values: [String] = []
        let deadline = Date().addingTimeInterval(10)
        while values.isEmpty, Date() < deadline {
            values += try await consumer.poll().map { String(decoding: $0.value ?? [], as: UTF8.self) }
        }
        #expect(values == ["after"])
        await cluster.close()
        _ = broker
    }
}
