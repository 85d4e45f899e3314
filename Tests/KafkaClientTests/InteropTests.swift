import Foundation
import KafkaClient
import KafkaProtocol
import Testing
import WeirTestSupport

/// Weir's producer and consumer against librdkafka (confluent-kafka) and kafka-python on a
/// real broker (Tansu), with every codec: what one writes, the other reads identically.
@Suite(.serialized, .timeLimit(.minutes(2))) struct InteropTests {
    static let count = 40

    /// The other clients: librdkafka (through confluent-kafka) and kafka-python.
    enum Peer: String, CaseIterable, CustomTestStringConvertible {
        case librdkafka = "librdkafka_peer.py"
        case kafkaPython = "kafka_python_peer.py"

        var testDescription: String { self == .librdkafka ? "librdkafka" : "kafka-python" }
        /// The `from` field of the JSON values the peer writes.
        var name: String { self == .librdkafka ? "librdkafka" : "kafka-python" }
    }

    static let cases = Peer.allCases.flatMap { peer in CompressionCodec.allCases.map { (peer, $0) } }

    @Test(arguments: cases)
    func peersReadWhatWeirProduces(peer: Peer, codec: CompressionCodec) async throws {
        let broker = try TansuBroker()
        var config = broker.config
        config["compression.type"] = codec.description
        let cluster = try KafkaCluster(config: config)
        let topic = "from-weir-\(codec)"
        try await KafkaAdmin(cluster: cluster).createTopic(topic, partitions: 4)
        let producer = try KafkaProducer(cluster: cluster)
        var sent: [String: RecordMetadata] = [:]
        try await withThrowingTaskGroup(of: (String, RecordMetadata).self) { group in
            for index in 0..<Self.count {
                group.addTask {
                    let metadata = try await producer.send(
                        ProducerRecord(
                            topic: topic, key: Array("key-\(index)".utf8),
                            value: Array("{\"n\":\(index),\"from\":\"weir\"}".utf8),
                            headers: [RecordHeader(key: "seq", value: Array("\(index)".utf8))],
                            timestamp: 1_700_000_000_000 + Int64(index)))
                    return ("key-\(index)", metadata)
                }
            }
            for try await (key, metadata) in group { sent[key] = metadata }
        }
        let read = try await TansuBroker.runPeer(peer.rawValue, ["consume", broker.bootstrap, topic, "\(Self.count)"])
        #expect(read.count == Self.count)
        for entry in read {
            let key = try #require(entry["key"] as? String)
            let index = try #require(Int(key.dropFirst(4)))
            let metadata = try #require(sent[key])
            #expect(entry["partition"] as? Int == Int(metadata.partition), "\(key)")
            #expect(entry["offset"] as? Int == Int(metadata.offset), "\(key)")
            #expect(entry["value"] as? String == "{\"n\":\(index),\"from\":\"weir\"}")
            #expect(entry["timestamp"] as? Int == 1_700_000_000_000 + index)
            #expect((entry["headers"] as? [[String]]) == [["seq", "\(index)"]])
        }
        await cluster.close()
    }

    @Test(arguments: cases)
    func weirReadsWhatPeersProduceAndPartitionsLikeThem(peer: Peer, codec: CompressionCodec) async throws {
        let broker = try TansuBroker()
        let cluster = try KafkaCluster(config: broker.config)
        let topic = "from-\(peer.name)"
        try await KafkaAdmin(cluster: cluster).createTopic(topic, partitions: 4)
        let written = try await TansuBroker.runPeer(
            peer.rawValue, ["produce", broker.bootstrap, topic, codec.description, "\(Self.count)"])
        #expect(written.count == Self.count)

        // Keys land where the peer's murmur2 partitioner put them.
        for entry in written {
            let key = try #require(entry["key"] as? String)
            #expect(
                Int(Partitioner.partition(forKey: Array(key.utf8), partitionCount: 4)) == entry["partition"] as? Int,
                "\(key)")
        }

        let consumer = try KafkaConsumer(cluster: cluster)
        try await consumer.assign(topic: topic, from: .earliest)
        var records: [ConsumerRecord] = []
        let deadline = Date().addingTimeInterval(20)
        while records.count < Self.count, Date() < deadline {
            records += try await consumer.poll()
        }
        #expect(records.count == Self.count)
        let byKey = Dictionary(
            uniqueKeysWithValues: records.map { (String(decoding: $0.key ?? [], as: UTF8.self), $0) })
        for entry in written {
            let key = try #require(entry["key"] as? String)
            let index = try #require(Int(key.dropFirst(4)))
            let record = try #require(byKey[key])
            #expect(
                Int(record.partition) == entry["partition"] as? Int && Int(record.offset) == entry["offset"] as? Int)
            #expect(
                String(decoding: record.value ?? [], as: UTF8.self) == "{\"n\": \(index), \"from\": \"\(peer.name)\"}")
            #expect(record.timestamp == 1_700_000_000_000 + Int64(index))
            #expect(record.headers == [RecordHeader(key: "seq", value: Array("\(index)".utf8))])
        }
        await cluster.close()
    }

    @Test func murmur2MatchesTheJavaClient() {
        // Values of Kafka's Utils.murmur2 (the Java client's partitioner hash).
        #expect(Partitioner.murmur2(Array("21".utf8)) == -973932308)
        #expect(Partitioner.murmur2(Array("foobar".utf8)) == -790332482)
        #expect(Partitioner.murmur2(Array("a-little-bit-long-string".utf8)) == -985981536)
        #expect(Partitioner.murmur2(Array("a-little-bit-longer-string".utf8)) == -1486304829)
        #expect(Partitioner.murmur2(Array("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8".utf8)) == -58897971)
        #expect(Partitioner.murmur2([UInt8]("abc".utf8)) == 479470107)
    }
}
