import Foundation
import KafkaClient
import KafkaProtocol
import Synchronization
import Testing
import WeirTestSupport

/// What the client does when the broker goes away and comes back.
@Suite(.serialized, .loadSensitive, .timeLimit(.minutes(5))) struct FailureTests {
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

/// The producer when acknowledgements are lost or the broker goes away mid-produce,
/// with Tansu behind a `FaultyProxy` (so its data survives the "outage").
@Suite(.serialized, .loadSensitive, .timeLimit(.minutes(5))) struct ProducerFailureTests {
    typealias Setup = ProxiedBroker

    /// Every value of the topic's only partition, in offset order.
    static func values(of topic: String, config: ClientConfig, expecting count: Int) async throws -> [String] {
        let cluster = try KafkaCluster(config: config)
        let consumer = try KafkaConsumer(cluster: cluster)
        try await consumer.assign(topic: topic, from: .earliest)
        var values: [String] = []
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            values += try await consumer.poll().map { String(decoding: $0.value ?? [], as: UTF8.self) }
            if values.count >= count, await consumer.isAtEnd { break }
        }
        await cluster.close()
        return values
    }

    /// Produces `count` values one batch at a time, losing the acknowledgement of batch 3.
    static func produceLosingAnAck(idempotent: Bool, topic: String, setup: Setup) async throws -> [String] {
        var config = setup.config
        config["enable.idempotence"] = idempotent ? "true" : "false"
        let cluster = try KafkaCluster(config: config)
        try await KafkaAdmin(cluster: cluster).createTopic(topic, partitions: 1)
        let producer = try KafkaProducer(cluster: cluster)
        for index in 0..<6 {
            if index == 3 { setup.proxy.loseProduceResponses(1) }
            let written = try await producer.send(ProducerRecord(topic: topic, value: Array("v\(index)".utf8)))
            #expect(written.partition == 0)
        }
        #expect(setup.proxy.lostProduceResponses == 1)
        await cluster.close()
        return try await values(of: topic, config: setup.config, expecting: 6)
    }

    @Test func aRetriedBatchWhoseAckWasLostIsWrittenOnceWithIdempotence() async throws {
        let setup = try Setup()
        let values = try await Self.produceLosingAnAck(idempotent: true, topic: "once", setup: setup)
        #expect(values == (0..<6).map { "v\($0)" })
    }

    @Test func withoutIdempotenceTheSameRetryWritesADuplicate() async throws {
        // The control: the same lost ack without idempotence duplicates the batch, so the
        // test above would see it if idempotence did not work.
        let setup = try Setup()
        let values = try await Self.produceLosingAnAck(idempotent: false, topic: "twice", setup: setup)
        #expect(values == ["v0", "v1", "v2", "v3", "v3", "v4", "v5"])
    }

    @Test func anOutageMidProduceIsRetriedThroughInOrderAndWithoutDuplicates() async throws {
        let setup = try Setup()
        let cluster = try KafkaCluster(config: setup.config)
        try await KafkaAdmin(cluster: cluster).createTopic("outage", partitions: 1)
        let producer = try KafkaProducer(cluster: cluster)
        let total = 3000
        for chunkStart in stride(from: 0, to: total, by: 100) {
            if chunkStart == 1000 { setup.proxy.setDown(true) }
            if chunkStart == 2000 {
                // Down until the producer has been turned away twice: its batches fail, back off
                // and are retried until the broker is back.
                #expect(await waitUntil(timeout: .seconds(30)) { setup.proxy.refusedConnections >= 2 })
                setup.proxy.setDown(false)
            }
            try await producer.enqueue(
                contentsOf: (chunkStart..<chunkStart + 100).map {
                    ProducerRecord(topic: "outage", value: Array("m\($0)".utf8))
                })
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        try await producer.flush()
        await cluster.close()
        let values = try await Self.values(of: "outage", config: setup.config, expecting: total)
        #expect(values.count == total)
        let expected = (0..<total).map { "m\($0)" }
        #expect(values == expected, "first difference at \(values.indices.first { values[$0] != expected[$0] } ?? -1)")
    }

    /// The delivery timeout is kept on the client's clock: here a manual one, so a minute's
    /// timeout is checked without waiting a minute, and nothing is given up before it.
    @Test func anOutageLongerThanTheDeliveryTimeoutIsReportedByFlush() async throws {
        let setup = try Setup()
        let clock = ManualClock()
        var config = setup.config
        config["delivery.timeout.ms"] = "60000"
        config.clock = clock.clientClock
        let cluster = try KafkaCluster(config: config)
        try await KafkaAdmin(cluster: cluster).createTopic("lost", partitions: 1)
        let producer = try KafkaProducer(cluster: cluster)
        // Sent by flush, not after linger.ms: the linger timer is on the clock that stands still.
        try await producer.enqueue(ProducerRecord(topic: "lost", value: Array("before".utf8)))
        try await producer.flush()
        setup.proxy.setDown(true)
        try await producer.enqueue(ProducerRecord(topic: "lost", value: Array("during".utf8)))
        let flushed = Mutex<Result<Void, any Error>?>(nil)
        let flushing = Task {
            do {
                try await producer.flush()
                flushed.withLock { $0 = .success(()) }
            } catch {
                flushed.withLock { $0 = .failure(error) }
            }
        }
        // 55 seconds on the client's clock, a second at a time while its attempts fail: still waiting.
        #expect(
            await waitUntil(timeout: .seconds(60)) {
                if clock.sleeping > 0 { clock.advance(by: .seconds(1)) }
                return clock.now >= .seconds(55)
            })
        #expect(flushed.withLock { $0 } == nil, "flush ended before the delivery timeout")
        // Past the minute: the batch is given up and flush says so.
        #expect(
            await waitUntil(timeout: .seconds(60)) {
                if clock.sleeping > 0 { clock.advance(by: .seconds(1)) }
                return flushed.withLock { $0 } != nil
            })
        await flushing.value
        #expect(clock.now > .seconds(60))
        if case .success = flushed.withLock({ $0 }) { Issue.record("flush succeeded while the broker was away") }
        await cluster.close()
    }
}

/// Tansu behind a `FaultyProxy` it advertises, so clients reach it only through the proxy.
struct ProxiedBroker {
    let broker: TansuBroker
    let proxy: FaultyProxy
    var config: ClientConfig {
        ClientConfig([
            "bootstrap.servers": "127.0.0.1:\(proxy.port)", "request.timeout.ms": "3000",
            "socket.connection.setup.timeout.ms": "1000", "retry.backoff.ms": "50", "linger.ms": "2",
            "reconnect.backoff.ms": "50", "reconnect.backoff.max.ms": "400", "fetch.max.wait.ms": "100",
        ])
    }

    init() throws {
        let brokerPort = try TansuBroker.freePort()
        proxy = try FaultyProxy(targetPort: brokerPort)
        broker = try TansuBroker(port: brokerPort, advertisedPort: proxy.port)
    }
}

/// The consumer when the broker goes away while it follows a topic.
@Suite(.serialized, .loadSensitive, .timeLimit(.minutes(5))) struct ConsumerFailureTests {
    @Test func anOutageWhileFollowingIsRiddenOutWithNothingLostOrRepeated() async throws {
        let setup = try ProxiedBroker()
        let cluster = try KafkaCluster(config: setup.config)
        try await KafkaAdmin(cluster: cluster).createTopic("followed", partitions: 2)
        let producer = try KafkaProducer(cluster: cluster)
        let consumer = try KafkaConsumer(cluster: cluster)
        try await consumer.assign(topic: "followed", from: .earliest)
        var seen: [String] = []
        func produce(_ range: Range<Int>) async throws {
            try await producer.enqueue(
                contentsOf: range.map {
                    ProducerRecord(topic: "followed", key: Array("k\($0)".utf8), value: Array("m\($0)".utf8))
                })
            try await producer.flush()
        }
        func readUntil(_ count: Int) async throws {
            let deadline = Date().addingTimeInterval(10)
            while seen.count < count, Date() < deadline {
                seen += try await consumer.poll().map { String(decoding: $0.value ?? [], as: UTF8.self) }
            }
        }
        try await produce(0..<50)
        try await readUntil(50)

        // Down for a second and a half: polls come back empty instead of failing.
        setup.proxy.setDown(true)
        let downSince = Date()
        while Date().timeIntervalSince(downSince) < 1.5 {
            #expect(try await consumer.poll().isEmpty)
        }
        setup.proxy.setDown(false)
        try await produce(50..<100)
        try await readUntil(100)
        #expect(seen.count == 100)
        #expect(Set(seen) == Set((0..<100).map { "m\($0)" }))
        await cluster.close()
    }

    @Test func aBrokerThatStaysGoneIsAnErrorWithinTheRequestTimeout() async throws {
        let setup = try ProxiedBroker()
        let cluster = try KafkaCluster(config: setup.config) // request.timeout.ms 3000
        try await KafkaAdmin(cluster: cluster).createTopic("abandoned", partitions: 1)
        let consumer = try KafkaConsumer(cluster: cluster)
        try await consumer.assign(topic: "abandoned", from: .earliest)
        _ = try await consumer.poll()
        setup.proxy.setDown(true)
        let started = Date()
        await #expect(throws: KafkaClientError.self) {
            while Date().timeIntervalSince(started) < 20 { _ = try await consumer.poll() }
        }
        let waited = Date().timeIntervalSince(started)
        #expect(waited > 2.5 && waited < 8, "gave up after \(waited) s")
        await cluster.close()
    }
}
