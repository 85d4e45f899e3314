import Foundation
import KafkaClient
import KafkaProtocol
import Testing
import WeirTestSupport

@Suite(.serialized, .timeLimit(.minutes(2))) struct ConnectionTests {
    @Test func negotiatesVersionsWithARealBroker() async throws {
        let broker = try TansuBroker()
        let connection = try await BrokerConnection.connect(
            to: BrokerAddress(host: "127.0.0.1", port: broker.port), config: broker.config)
        defer { Task { await connection.close() } }
        // Whatever Tansu speaks, the chosen version lies in both ranges.
        for api in [ApiKey.metadata, .produce, .fetch, .listOffsets, .createTopics] {
            let version = try #require(connection.versions.version(for: api))
            let brokerRange = try #require(connection.versions.brokerRanges[api.rawValue])
            #expect(brokerRange.contains(version) && api.validVersions.contains(version))
        }
        let metadata = try await connection.send(MetadataRequest(topics: []))
        #expect(metadata.brokers.first?.port == Int32(broker.port))
    }

    @Test func topicAdministration() async throws {
        let broker = try TansuBroker()
        let cluster = try KafkaCluster(config: broker.config)
        let admin = KafkaAdmin(cluster: cluster)
        try await admin.createTopic("orders", partitions: 3)
        try await admin.createTopic("payments", partitions: 1, configs: ["retention.ms": "60000"])
        let names = try await admin.listTopics().map(\.name)
        #expect(names.contains("orders") && names.contains("payments"))
        let orders = try await admin.describeTopic("orders")
        #expect(orders.partitions.map(\.partition) == [0, 1, 2])
        #expect(orders.partitions.allSatisfy { $0.leader >= 0 })
        await #expect(throws: KafkaClientError.self) { try await admin.createTopic("orders", partitions: 3) }
        do {
            try await admin.createTopic("orders", partitions: 3)
        } catch let KafkaClientError.broker(code, _) {
            #expect(code == .topicAlreadyExists)
        }
        // retention.ms as given at creation; partitions only grow.
        let configs = try await admin.describeConfigs(topic: "payments")
        #expect(configs.first { $0.name == "retention.ms" }?.value == "60000")
        // Tansu 0.6 does not offer CreatePartitions: the client must say so by name, not fail obscurely.
        // (Growth itself is checked against Weir's own broker, which offers it.)
        if try await cluster.anyConnection().versions.version(for: .createPartitions) == nil {
            do {
                try await admin.createPartitions("orders", totalCount: 5)
                Issue.record("CreatePartitions succeeded on a broker that does not offer it")
            } catch let KafkaClientError.unsupportedApi(api, _) {
                #expect(api == .createPartitions)
            }
        } else {
            try await admin.createPartitions("orders", totalCount: 5)
            #expect(try await admin.describeTopic("orders").partitions.count == 5)
        }
        try await admin.deleteTopic("payments")
        #expect(try await !admin.listTopics().map(\.name).contains("payments"))
        await cluster.close()
    }

    @Test func anUnreachableBrokerFailsFastWithAClearError() async throws {
        let port = try TansuBroker.freePort() // nothing listens there now
        let cluster = try KafkaCluster(
            config: ClientConfig([
                "bootstrap.servers": "127.0.0.1:\(port)",
                "socket.connection.setup.timeout.ms": "1000",
            ]))
        let started = Date()
        do {
            _ = try await KafkaAdmin(cluster: cluster).listTopics()
            Issue.record("listing topics on a dead address succeeded")
        } catch let error as KafkaClientError {
            #expect("\(error)".contains("127.0.0.1:\(port)"))
            guard case .noBrokerAvailable = error else {
                Issue.record("unexpected error \(error)")
                return
            }
        }
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test func aSilentBrokerTimesOutInsteadOfHanging() async throws {
        let server = try SilentServer()
        let config = ClientConfig(["bootstrap.servers": "127.0.0.1:\(server.port)", "request.timeout.ms": "500"])
        let started = Date()
        await #expect(throws: KafkaClientError.self) {
            _ = try await BrokerConnection.connect(
                to: BrokerAddress(host: "127.0.0.1", port: server.port), config: config)
        }
        #expect(Date().timeIntervalSince(started) < 3)
    }

    @Test func configurationByKafkaPropertyNames() throws {
        let config = ClientConfig.parse(
            propertiesFile: """
                # a client.properties file
                bootstrap.servers=broker1:9092, [::1]:9093,broker3
                client.id = reporting
                request.timeout.ms: 1500
                """)
        #expect(try config.bootstrapServers().map(\.description) == ["broker1:9092", "[::1]:9093", "broker3:9092"])
        #expect(config.clientId == "reporting")
        #expect(try config.requestTimeoutMs() == 1500)
        #expect(throws: KafkaClientError.self) {
            try ClientConfig(["bootstrap.servers": "host:notaport"]).bootstrapServers()
        }
        #expect(throws: KafkaClientError.self) { try ClientConfig(["request.timeout.ms": "soon"]).requestTimeoutMs() }
    }
}
