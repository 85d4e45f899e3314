import Foundation
import KafkaProtocol
import Testing
import WeirTestSupport

@testable import KafkaBroker

/// A broker in this process on a free port, with a fresh data folder, for one test.
final class TestBroker: @unchecked Sendable {
    let server: KafkaServer
    let folder: String
    private let running: Task<Void, Error>

    var port: Int { server.port }
    var broker: Broker { server.broker }

    init(folder: String? = nil, _ configure: (inout BrokerConfig) -> Void = { _ in }) async throws {
        self.folder =
            folder
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("weir-broker-test-\(UUID().uuidString)")
            .path
        var config = BrokerConfig(dataDirectory: self.folder)
        config.port = 0
        config.initialRebalanceDelayMs = 0
        configure(&config)
        server = try await KafkaServer(config: config)
        let server = self.server
        running = Task { try await server.run() }
    }

    /// Stops the server and waits until its logs are synced.
    func stop() async {
        await server.stop()
        _ = try? await running.value
    }

    /// Creates topics directly in the broker's store (as a Metadata request would).
    func create(_ topics: String...) throws {
        for topic in topics { try broker.topics.create(topic, partitions: 1) }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Runs `body` with a broker, then stops it and removes its data.
    static func with(
        _ configure: (inout BrokerConfig) -> Void = { _ in }, _ body: (TestBroker) async throws -> Void
    ) async throws {
        let broker = try await TestBroker(configure)
        do {
            try await body(broker)
        } catch {
            await broker.stop()
            broker.remove()
            throw error
        }
        await broker.stop()
        broker.remove()
    }
}

/// Requests as the tests build them.
enum Requests {
    static func batch(_ values: [String], timestamp: Int64 = 1_700_000_000_000) throws -> [UInt8] {
        try RecordBatch(
            records: values.enumerated().map { index, value in
                Record(timestamp: timestamp + Int64(index), key: nil, value: Array(value.utf8))
            }
        ).encoded()
    }

    static func produce(_ topic: String, partition: Int32 = 0, records: [UInt8], acks: Int16 = -1) -> ProduceRequest {
        ProduceRequest(
            acks: acks, timeoutMs: 5000,
            topicData: [.init(name: topic, partitionData: [.init(index: partition, records: records)])])
    }

    static func fetch(
        _ topic: String, partition: Int32 = 0, offset: Int64, maxWaitMs: Int32 = 0, minBytes: Int32 = 1
    ) -> FetchRequest {
        FetchRequest(
            maxWaitMs: maxWaitMs, minBytes: minBytes,
            topics: [
                .init(
                    topic: topic,
                    partitions: [.init(partition: partition, fetchOffset: offset, partitionMaxBytes: 1 << 20)])
            ])
    }

    static func listOffset(_ topic: String, timestamp: Int64) -> ListOffsetsRequest {
        ListOffsetsRequest(topics: [.init(name: topic, partitions: [.init(partitionIndex: 0, timestamp: timestamp)])])
    }

    static func metadata(_ topics: [String]) -> MetadataRequest {
        MetadataRequest(topics: topics.map { .init(name: $0) }, allowAutoTopicCreation: true)
    }
}

extension BrokerTests {
    /// The protocol's edges: what the broker answers to requests real clients rely on, and
    /// what it does with requests no client should send.
    @Suite(.timeLimit(.minutes(1))) struct BrokerProtocolTests {
        @Test func apiVersionsAboveTheServedVersionGetUnsupportedVersionInAV0Body() async throws {
            try await TestBroker.with { broker in
                let socket = try RawKafkaSocket(port: broker.port)
                // ApiVersions v99: a header Kafka's rules make v2 (flexible), and a body nobody knows.
                var writer = ByteWriter(capacity: 64)
                writer.writeInt32(0)
                RequestHeader(
                    requestApiKey: ApiKey.apiVersions.rawValue, requestApiVersion: 99, correlationId: 42,
                    clientId: "future"
                )
                .write(to: &writer, version: 2)
                writer.writeRawBytes([0x05, 0xFF, 0x00])
                writer.setInt32(Int32(writer.count - 4), at: 0)
                try await socket.send(writer.bytes)
                let frame = try #require(try await socket.readFrame())
                let (correlationId, response) = try KafkaFraming.decodeResponse(
                    frame, as: ApiVersionsResponse.self, version: 0)
                #expect(correlationId == 42)
                #expect(response.errorCode == ErrorCode.unsupportedVersion.code)
                let apiVersions = try #require(response.apiKeys.first { $0.apiKey == ApiKey.apiVersions.rawValue })
                #expect(apiVersions.minVersion == 0 && apiVersions.maxVersion == 4)
                #expect(response.apiKeys.contains { $0.apiKey == ApiKey.produce.rawValue })
                // The client retries with a version both speak, on the same connection.
                let retried = try await socket.roundTrip(
                    ApiVersionsRequest(clientSoftwareName: "weir", clientSoftwareVersion: "1"), version: 3)
                #expect(retried.errorCode == 0)
            }
        }

        /// Debian's librdkafka 2.0.2 misreads ApiVersions v3 answers whose tagged fields are
        /// written at their defaults: they must be left out.
        @Test func apiVersionsV3WritesNoDefaultTaggedFields() async throws {
            try await TestBroker.with { broker in
                let socket = try RawKafkaSocket(port: broker.port)
                try await socket.send(
                    KafkaFraming.encodeRequest(
                        ApiVersionsRequest(clientSoftwareName: "a", clientSoftwareVersion: "1"),
                        version: 3, correlationId: 1, clientId: nil))
                let frame = try #require(try await socket.readFrame())
                // The body ends with the top-level tagged-field count; nothing is tagged at the defaults.
                #expect(frame.last == 0)
                let (_, response) = try KafkaFraming.decodeResponse(frame, as: ApiVersionsResponse.self, version: 3)
                #expect(response.supportedFeatures.isEmpty && response.finalizedFeatures.isEmpty)
            }
        }

        /// Produce v0–v2 and Fetch v0–v3 carry the formats before Kafka 0.11: a message set of
        /// magic 1 goes in as one magic-2 batch; readers get magic 0 or 1 back, by their Fetch
        /// version; a topic with `message.downconversion.enable=false` refuses them as Kafka does;
        /// a magic-2 batch in Produce v2 is refused.
        @Test func messageFormatsBeforeKafka011AreConvertedAtTheEdge() async throws {
            try await TestBroker.with { broker in
                try broker.create("old")
                try broker.broker.topics.create(
                    "modern-only", partitions: 1, configs: ["message.downconversion.enable": "false"])
                let socket = try RawKafkaSocket(port: broker.port)
                var legacy = ByteWriter()
                let written = RecordBatch(
                    records: (0..<3).map {
                        Record(timestamp: 1_600_000_000_000 + Int64($0), key: nil, value: Array("m\($0)".utf8))
                    },
                    compression: .gzip)
                try LegacyMessageSet.write(written, magic: 1, to: &legacy)
                let produced = try await socket.roundTrip(Requests.produce("old", records: legacy.bytes), version: 2)
                #expect(produced.responses[0].partitionResponses[0].errorCode == 0)
                #expect(produced.responses[0].partitionResponses[0].baseOffset == 0)

                let modern = try await socket.roundTrip(Requests.fetch("old", offset: 0), version: 12)
                let stored = try RecordSet.decode(modern.responses[0].partitions[0].records ?? [])
                #expect(stored.batches.map(\.magic) == [2] && stored.batches[0].compression == .gzip)
                #expect(stored.records.map(\.offset) == [0, 1, 2])
                #expect(stored.records.map(\.timestamp) == [1_600_000_000_000, 1_600_000_000_001, 1_600_000_000_002])

                for (version, magic) in [(Int16(0), Int8(0)), (1, 0), (2, 1), (3, 1)] {
                    let old = try await socket.roundTrip(Requests.fetch("old", offset: 1), version: version)
                    #expect(old.responses[0].partitions[0].errorCode == 0)
                    let read = try RecordSet.decode(old.responses[0].partitions[0].records ?? [])
                    #expect(read.batches.allSatisfy { $0.magic == magic }, "Fetch v\(version)")
                    #expect(read.records.map(\.offset) == [0, 1, 2], "the whole batch, as Kafka hands it out")
                    #expect(read.records.map { String(decoding: $0.value!, as: UTF8.self) } == ["m0", "m1", "m2"])
                }

                _ = try await socket.roundTrip(
                    Requests.produce("modern-only", records: try Requests.batch(["new"])), version: 9)
                let refused = try await socket.roundTrip(Requests.fetch("modern-only", offset: 0), version: 3)
                #expect(refused.responses[0].partitions[0].errorCode == ErrorCode.unsupportedVersion.code)

                let mixed = try await socket.roundTrip(
                    Requests.produce("old", records: try Requests.batch(["a batch"])), version: 2)
                #expect(mixed.responses[0].partitionResponses[0].errorCode == ErrorCode.invalidRecord.code)
            }
        }

        /// Incremental fetch sessions (KIP-227) frame by frame: epoch 0 opens one and answers in
        /// full; the next epoch names nothing and hears only what changed; a forgotten partition
        /// is no longer answered; a wrong epoch or an unknown session is refused.
        @Test func incrementalFetchSessions() async throws {
            try await TestBroker.with { broker in
                try broker.create("a", "b")
                let socket = try RawKafkaSocket(port: broker.port)
                func fetch(
                    session: Int32, epoch: Int32, _ targets: [(String, Int64)], forget: [String] = []
                ) async throws -> FetchResponse {
                    var request = FetchRequest(
                        maxWaitMs: 0, minBytes: 0, sessionId: session, sessionEpoch: epoch,
                        topics: targets.map {
                            .init(
                                topic: $0.0,
                                partitions: [.init(partition: 0, fetchOffset: $0.1, partitionMaxBytes: 1 << 20)])
                        })
                    request.forgottenTopicsData = forget.map { .init(topic: $0, partitions: [0]) }
                    return try await socket.roundTrip(request, version: 12)
                }
                _ = try await socket.roundTrip(Requests.produce("a", records: try Requests.batch(["a0"])), version: 9)
                let opened = try await fetch(session: 0, epoch: 0, [("a", 0), ("b", 0)])
                #expect(opened.sessionId > 0 && opened.responses.map(\.topic) == ["a", "b"], "a full first answer")
                let session = opened.sessionId
                // Nothing new: an incremental request naming a's new offset hears nothing.
                let idle = try await fetch(session: session, epoch: 1, [("a", 1)])
                #expect(idle.errorCode == 0 && idle.responses.isEmpty, "\(idle.responses)")
                // b gets a record: only b is answered, though the request names nothing.
                _ = try await socket.roundTrip(Requests.produce("b", records: try Requests.batch(["b0"])), version: 9)
                let changed = try await fetch(session: session, epoch: 2, [])
                #expect(changed.responses.map(\.topic) == ["b"])
                // b forgotten: more records there are not answered.
                _ = try await fetch(session: session, epoch: 3, [], forget: ["b"])
                _ = try await socket.roundTrip(Requests.produce("b", records: try Requests.batch(["b1"])), version: 9)
                #expect(try await fetch(session: session, epoch: 4, []).responses.isEmpty)
                #expect(
                    try await fetch(session: session, epoch: 9, []).errorCode
                        == ErrorCode.invalidFetchSessionEpoch.code)
                #expect(try await fetch(session: 999, epoch: 1, []).errorCode == ErrorCode.fetchSessionIdNotFound.code)
            }
        }

        /// Offsets a client makes up cannot trap the broker: a magic-1 wrapper at offset
        /// Int64.max whose inner message counts back from it, and a stored batch whose record
        /// claims an offset delta of Int64.max, read by a Fetch v3 reader.
        @Test func madeUpOffsetsAreNotArithmetic() async throws {
            try await TestBroker.with { broker in
                try broker.create("odd")
                let socket = try RawKafkaSocket(port: broker.port)
                var legacy = ByteWriter()
                let pair = RecordBatch(
                    baseOffset: 5, attributes: RecordBatchAttributes(compression: .gzip), lastOffsetDelta: 0,
                    baseTimestamp: 1, maxTimestamp: 1,
                    records: [
                        Record(offset: 5, timestamp: 1, key: nil, value: [1][...]),
                        Record(offset: 4, timestamp: 1, key: nil, value: [2][...]),
                    ])
                try LegacyMessageSet.write(pair, magic: 1, to: &legacy)
                var wrapper = legacy.bytes
                withUnsafeBytes(of: Int64.max.bigEndian) { wrapper.replaceSubrange(0..<8, with: $0) }
                _ = try await socket.roundTrip(Requests.produce("odd", records: wrapper), version: 2)

                let far = try RecordBatch(
                    baseOffset: 0, attributes: RecordBatchAttributes(), lastOffsetDelta: 0, baseTimestamp: 1,
                    maxTimestamp: 1, records: [Record(offset: Int64.max, timestamp: 1, key: nil, value: [3][...])]
                ).encoded()
                _ = try await socket.roundTrip(Requests.produce("odd", records: far), version: 9)
                _ = try await socket.roundTrip(Requests.fetch("odd", offset: 0), version: 3)
                let still = try await socket.roundTrip(
                    Requests.produce("odd", records: try Requests.batch(["fine"])), version: 9)
                #expect(still.responses[0].partitionResponses[0].errorCode == 0, "the broker still serves")
            }
        }

        /// Fetch v13+ names topics by id (KIP-516), answered with the id; an id no topic has
        /// is UNKNOWN_TOPIC_ID.
        @Test func fetchByTopicId() async throws {
            try await TestBroker.with { broker in
                try broker.create("named")
                let id = try #require(broker.broker.topics.topic("named")).id
                let socket = try RawKafkaSocket(port: broker.port)
                _ = try await socket.roundTrip(
                    Requests.produce("named", records: try Requests.batch(["by id"])), version: 9)
                for (topicId, expected) in [(id, ErrorCode.none), (KafkaUUID(high: 7, low: 7), .unknownTopicId)] {
                    let response = try await socket.roundTrip(
                        FetchRequest(
                            maxWaitMs: 0, minBytes: 0,
                            topics: [
                                .init(
                                    topicId: topicId,
                                    partitions: [.init(partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20)])
                            ]), version: 16)
                    #expect(response.responses.first?.topicId == topicId)
                    let partition = try #require(response.responses.first?.partitions.first)
                    #expect(partition.errorCode == expected.code)
                    if expected == .none {
                        let records = try RecordSet.decode(partition.records ?? []).records
                        #expect(records.map { String(decoding: $0.value!, as: UTF8.self) } == ["by id"])
                    }
                }
            }
        }

        @Test func aMalformedFrameClosesOnlyItsOwnConnection() async throws {
            try await TestBroker.with { broker in
                try broker.create("steady")
                let good = try RawKafkaSocket(port: broker.port)
                _ = try await good.roundTrip(
                    Requests.produce("steady", records: try Requests.batch(["before"])), version: 9)

                // A Metadata v12 request whose topic array claims a billion entries.
                let bad = try RawKafkaSocket(port: broker.port)
                var writer = ByteWriter(capacity: 64)
                writer.writeInt32(0)
                RequestHeader(
                    requestApiKey: ApiKey.metadata.rawValue, requestApiVersion: 12, correlationId: 1, clientId: "bad"
                )
                .write(to: &writer, version: 2)
                writer.writeUnsignedVarint(1_000_000_000)
                writer.setInt32(Int32(writer.count - 4), at: 0)
                try await bad.send(writer.bytes)
                #expect(await bad.closedByPeer())

                // Garbage from the first byte: a size, then noise.
                let noise = try RawKafkaSocket(port: broker.port)
                try await noise.send([0, 0, 0, 8, 0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4])
                #expect(await noise.closedByPeer())

                // The good connection goes on, and nothing was lost.
                let produced = try await good.roundTrip(
                    Requests.produce("steady", records: try Requests.batch(["after"])), version: 9)
                #expect(produced.responses[0].partitionResponses[0].baseOffset == 1)
                let fetched = try await good.roundTrip(Requests.fetch("steady", offset: 0), version: 12)
                let set = try RecordSet.decode(fetched.responses[0].partitions[0].records ?? [])
                #expect(
                    set.batches.flatMap(\.records).map { String(decoding: $0.value ?? [], as: UTF8.self) } == [
                        "before", "after",
                    ])
            }
        }

        @Test func aFrameOverTheRequestLimitOrAnUnknownApiClosesTheConnection() async throws {
            try await TestBroker.with({ $0.maxRequestBytes = 1 << 20 }) { broker in
                let oversized = try RawKafkaSocket(port: broker.port)
                try await oversized.send([0, 0x20, 0, 0] + [UInt8](repeating: 0, count: 64)) // 2 MiB announced
                #expect(await oversized.closedByPeer())

                let unknown = try RawKafkaSocket(port: broker.port)
                var writer = ByteWriter(capacity: 32)
                writer.writeInt32(0)
                writer.writeInt16(999)
                writer.writeInt16(0)
                writer.writeInt32(5)
                writer.writeInt16(-1)
                writer.setInt32(Int32(writer.count - 4), at: 0)
                try await unknown.send(writer.bytes)
                #expect(await unknown.closedByPeer())

                let fine = try RawKafkaSocket(port: broker.port)
                let metadata = try await fine.roundTrip(Requests.metadata([]), version: 12)
                #expect(metadata.brokers.first?.port == Int32(broker.port))
            }
        }

        @Test func aBatchWithABadCRCIsRefusedAndNotStored() async throws {
            try await TestBroker.with { broker in
                try broker.create("checked")
                let socket = try RawKafkaSocket(port: broker.port)
                var batch = try Requests.batch(["one", "two"])
                batch[batch.count - 1] ^= 0xFF
                let refused = try await socket.roundTrip(Requests.produce("checked", records: batch), version: 9)
                #expect(refused.responses[0].partitionResponses[0].errorCode == ErrorCode.corruptMessage.code)
                #expect(broker.broker.topics.log("checked", 0)?.logEndOffset == 0)

                // Cut short: refused the same way.
                let cut = try Requests.batch(["three"]).dropLast(3)
                let refusedCut = try await socket.roundTrip(
                    Requests.produce("checked", records: Array(cut)), version: 9)
                #expect(refusedCut.responses[0].partitionResponses[0].errorCode == ErrorCode.corruptMessage.code)
                #expect(broker.broker.topics.log("checked", 0)?.logEndOffset == 0)
            }
        }

        @Test func recordsOverMaxMessageBytesAreRefused() async throws {
            try await TestBroker.with({ $0.topicDefaults["max.message.bytes"] = "1000" }) { broker in
                try broker.create("bounded")
                let socket = try RawKafkaSocket(port: broker.port)
                let big = try await socket.roundTrip(
                    Requests.produce("bounded", records: try Requests.batch([String(repeating: "x", count: 2000)])),
                    version: 9)
                #expect(big.responses[0].partitionResponses[0].errorCode == ErrorCode.messageTooLarge.code)
                let small = try await socket.roundTrip(
                    Requests.produce("bounded", records: try Requests.batch(["fits"])), version: 9)
                #expect(small.responses[0].partitionResponses[0].errorCode == 0)
            }
        }

        @Test func fetchesAndListOffsetsAtTheEdgesOfTheLog() async throws {
            try await TestBroker.with { broker in
                try broker.create("edges")
                let socket = try RawKafkaSocket(port: broker.port)
                _ = try await socket.roundTrip(
                    Requests.produce("edges", records: try Requests.batch(["a", "b", "c"])), version: 9)
                _ = try await socket.roundTrip(
                    Requests.produce("edges", records: try Requests.batch(["d", "e"], timestamp: 1_700_000_001_000)),
                    version: 9)

                let latest = try await socket.roundTrip(Requests.listOffset("edges", timestamp: -1), version: 6)
                #expect(latest.topics[0].partitions[0].offset == 5, "the last record's offset + 1")
                let byTime = try await socket.roundTrip(
                    Requests.listOffset("edges", timestamp: 1_700_000_000_001), version: 6)
                #expect(byTime.topics[0].partitions[0].offset == 1, "inside the first batch")
                #expect(byTime.topics[0].partitions[0].timestamp == 1_700_000_000_001)
                let v0 = try await socket.roundTrip(Requests.listOffset("edges", timestamp: -2), version: 0)
                #expect(v0.topics[0].partitions[0].oldStyleOffsets == [0])

                let beyond = try await socket.roundTrip(Requests.fetch("edges", offset: 6), version: 12)
                #expect(beyond.responses[0].partitions[0].errorCode == ErrorCode.offsetOutOfRange.code)
                #expect(beyond.responses[0].partitions[0].highWatermark == 5)
                let atEnd = try await socket.roundTrip(Requests.fetch("edges", offset: 5), version: 12)
                #expect(
                    atEnd.responses[0].partitions[0].errorCode == 0
                        && (atEnd.responses[0].partitions[0].records ?? []).isEmpty)
                // Mid-batch: the whole batch holding offset 4 comes back (clients skip what they did not ask for).
                let mid = try await socket.roundTrip(Requests.fetch("edges", offset: 4), version: 12)
                #expect(
                    try RecordSet.decode(mid.responses[0].partitions[0].records ?? []).batches.first?.baseOffset == 3)

                let deleted = try await socket.roundTrip(
                    DeleteRecordsRequest(
                        topics: [.init(name: "edges", partitions: [.init(partitionIndex: 0, offset: 2)])],
                        timeoutMs: 1000), version: 2)
                #expect(deleted.topics[0].partitions[0].lowWatermark == 2)
                let earliest = try await socket.roundTrip(Requests.listOffset("edges", timestamp: -2), version: 6)
                #expect(earliest.topics[0].partitions[0].offset == 2)
                let below = try await socket.roundTrip(Requests.fetch("edges", offset: 1), version: 12)
                #expect(below.responses[0].partitions[0].errorCode == ErrorCode.offsetOutOfRange.code)
            }
        }

        @Test func aLongPollFetchEndsAsSoonAsAProduceArrives() async throws {
            try await TestBroker.with { broker in
                let writer = try RawKafkaSocket(port: broker.port)
                _ = try await writer.roundTrip(Requests.metadata(["waiting"]), version: 12)

                // max wait 0: whatever is there, at once.
                let reader = try RawKafkaSocket(port: broker.port)
                let empty = try await reader.roundTrip(Requests.fetch("waiting", offset: 0, maxWaitMs: 0), version: 12)
                #expect((empty.responses[0].partitions[0].records ?? []).isEmpty)
                #expect(reader.lastReceivedAt - reader.lastSentAt < .milliseconds(500))

                // max wait 10 s: answered when a produce 300 ms later makes min bytes.
                try await reader.send(
                    KafkaFraming.encodeRequest(
                        Requests.fetch("waiting", offset: 0, maxWaitMs: 10_000), version: 12,
                        correlationId: 9, clientId: "poll"))
                try await Task.sleep(nanoseconds: 300_000_000)
                _ = try await writer.roundTrip(
                    Requests.produce("waiting", records: try Requests.batch(["wake"])), version: 9)
                let frame = try #require(try await reader.readFrame())
                let waited =
                    Double((reader.lastReceivedAt - reader.lastSentAt).components.attoseconds) / 1e18
                    + Double((reader.lastReceivedAt - reader.lastSentAt).components.seconds)
                let (_, fetched) = try KafkaFraming.decodeResponse(frame, as: FetchResponse.self, version: 12)
                #expect(try RecordSet.decode(fetched.responses[0].partitions[0].records ?? []).batches.count == 1)
                // Woken by the produce, not by the 10 s wait running out (the bound is loose: the suite runs
                // beside a fuzzer that keeps both cores busy).
                #expect(waited >= 0.3 && waited < 8, "waited \(waited) s")
            }
        }

        @Test func acksZeroIsStoredWithoutAnAnswer() async throws {
            try await TestBroker.with { broker in
                try broker.create("quiet")
                let socket = try RawKafkaSocket(port: broker.port)
                try await socket.send(
                    KafkaFraming.encodeRequest(
                        Requests.produce("quiet", records: try Requests.batch(["x"]), acks: 0),
                        version: 9, correlationId: 1, clientId: nil))
                // The next answer on the connection is the metadata's: the produce got none.
                let metadata = try await socket.roundTrip(Requests.metadata(["quiet"]), version: 12, correlationId: 2)
                #expect(metadata.topics.first?.name == "quiet")
                await waitUntil(timeout: .seconds(1)) { broker.broker.topics.log("quiet", 0)?.highWatermark == 1 }
                #expect(broker.broker.topics.log("quiet", 0)?.highWatermark == 1)
            }
        }

        @Test func autoCreationCanBeTurnedOff() async throws {
            try await TestBroker.with({ $0.autoCreateTopics = false }) { broker in
                let socket = try RawKafkaSocket(port: broker.port)
                let metadata = try await socket.roundTrip(Requests.metadata(["absent"]), version: 12)
                #expect(metadata.topics.first?.errorCode == ErrorCode.unknownTopicOrPartition.code)
                let produced = try await socket.roundTrip(
                    Requests.produce("absent", records: try Requests.batch(["x"])), version: 9)
                #expect(produced.responses[0].partitionResponses[0].errorCode == ErrorCode.unknownTopicOrPartition.code)
            }
        }

        /// Committed offsets live in `__consumer_offsets` and come back after a restart.
        @Test func committedOffsetsSurviveARestart() async throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "weir-offsets-\(UUID().uuidString)"
            ).path
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let first = try await TestBroker(folder: folder)
            try first.create("kept")
            let socket = try RawKafkaSocket(port: first.port)
            _ = try await socket.roundTrip(
                Requests.produce("kept", records: try Requests.batch(["a", "b", "c"])), version: 9)
            let commit = OffsetCommitRequest(
                groupId: "keepers", generationIdOrMemberEpoch: -1, memberId: "",
                topics: [
                    .init(
                        name: "kept",
                        partitions: [.init(partitionIndex: 0, committedOffset: 2, committedMetadata: "note")])
                ])
            let committed = try await socket.roundTrip(commit, version: 8)
            #expect(committed.topics[0].partitions[0].errorCode == 0)
            await first.stop()

            let second = try await TestBroker(folder: folder)
            let again = try RawKafkaSocket(port: second.port)
            let fetched = try await again.roundTrip(
                OffsetFetchRequest(groups: [.init(groupId: "keepers", topics: nil)]), version: 8)
            let partition = try #require(fetched.groups.first?.topics.first?.partitions.first)
            #expect(partition.committedOffset == 2 && partition.metadata == "note")
            let listed = try await again.roundTrip(ListGroupsRequest(), version: 4)
            #expect(listed.groups.map(\.groupId) == ["keepers"])
            await second.stop()
        }
    }
}
