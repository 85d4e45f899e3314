import Foundation
import KafkaProtocol
import Testing
import WeirTestSupport

@testable import KafkaBroker

extension BrokerTests {
    /// Transactions: each client's transactional producer against `weir broker`, and the
    /// coordinator's own edges (a restart in the middle, a timeout) request by request.
    @Suite(.timeLimit(.minutes(2))) struct BrokerTransactionTests {
        /// Commit, abort, commit with offsets; an open transaction holds read_committed back;
        /// a second producer with the same transactional id fences the first and aborts its
        /// open transaction.
        @Test(arguments: BrokerTests.BrokerInteropTests.Client.allCases)
        func transactionalProducers(client: BrokerTests.BrokerInteropTests.Client) async throws {
            let broker = try WeirBrokerProcess(arguments: ["--config", "num.partitions=2"])
            let lines = try await TansuBroker.runPeer(
                "txn_checks.py", [client.rawValue, broker.bootstrap, "txn-\(client.rawValue)", "txn-group"])
            let result = try #require(lines.last)
            let committed = (0..<5).flatMap { ["c1-\($0)", "c2-\($0)"] }.sorted()
            #expect(result["committed"] as? [String] == committed, "read_committed sees only committed records")
            #expect(result["held_back"] as? [String] == committed, "an open transaction holds read_committed back")
            #expect(result["uncommitted"] as? [String] == (committed + (0..<5).map { "a-\($0)" } + ["o-0"]).sorted())
            #expect(
                ["_FENCED", "ProducerFencedError", "ProducerFenced"].contains(result["fenced"] as? String ?? ""),
                "\(result)")
            #expect(result["group_offset"] as? Int == 3, "offsets of the committed transaction, not the aborted one")
        }

        struct Producer {
            var id: Int64
            var epoch: Int16
        }

        static func initTransactions(
            _ socket: RawKafkaSocket, _ transactionalId: String, timeoutMs: Int32 = 60_000
        ) async throws -> Producer {
            let response = try await socket.roundTrip(
                InitProducerIdRequest(transactionalId: transactionalId, transactionTimeoutMs: timeoutMs), version: 4)
            #expect(response.errorCode == 0)
            return Producer(id: response.producerId, epoch: response.producerEpoch)
        }

        static func transactionalBatch(_ producer: Producer, _ values: [String], sequence: Int32) throws -> [UInt8] {
            try RecordBatch(
                records: values.map { Record(timestamp: 1_700_000_000_000, key: nil, value: Array($0.utf8)) },
                producerId: producer.id, producerEpoch: producer.epoch, baseSequence: sequence, isTransactional: true
            ).encoded()
        }

        static func committedRead(
            _ socket: RawKafkaSocket, _ topic: String
        ) async throws -> FetchResponse.FetchableTopicResponse.PartitionData {
            var request = Requests.fetch(topic, offset: 0)
            request.isolationLevel = 1
            return try await socket.roundTrip(request, version: 12).responses[0].partitions[0]
        }

        /// The coordinator's state and the open transaction survive a restart: the producer
        /// commits afterwards and read_committed then sees its records.
        @Test func anOpenTransactionSurvivesARestart() async throws {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("weir-txn-\(UUID().uuidString)")
                .path
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let first = try await TestBroker(folder: folder)
            try first.create("ledger")
            var socket = try RawKafkaSocket(port: first.port)
            let producer = try await Self.initTransactions(socket, "ledger-writer")
            let added = try await socket.roundTrip(
                AddPartitionsToTxnRequest(
                    v3AndBelowTransactionalId: "ledger-writer", v3AndBelowProducerId: producer.id,
                    v3AndBelowProducerEpoch: producer.epoch,
                    v3AndBelowTopics: [.init(name: "ledger", partitions: [0])]), version: 3)
            #expect(added.resultsByTopicV3AndBelow[0].resultsByPartition[0].partitionErrorCode == 0)
            let produced = try await socket.roundTrip(
                Requests.produce("ledger", records: try Self.transactionalBatch(producer, ["x", "y"], sequence: 0)),
                version: 9)
            #expect(produced.responses[0].partitionResponses[0].errorCode == 0)
            #expect(try await Self.committedRead(socket, "ledger").lastStableOffset == 0)
            await first.stop()

            let second = try await TestBroker(folder: folder)
            socket = try RawKafkaSocket(port: second.port)
            let before = try await Self.committedRead(socket, "ledger")
            #expect(before.lastStableOffset == 0 && before.highWatermark == 2, "still open after the restart")
            #expect((before.records ?? []).isEmpty)
            let ended = try await socket.roundTrip(
                EndTxnRequest(
                    transactionalId: "ledger-writer", producerId: producer.id,
                    producerEpoch: producer.epoch, committed: true), version: 3)
            #expect(ended.errorCode == 0)
            let after = try await Self.committedRead(socket, "ledger")
            #expect(after.lastStableOffset == 3, "two records and the COMMIT marker")
            let set = try RecordSet.decode(after.records ?? [])
            #expect(
                set.batches.filter { !$0.isControl }.flatMap(\.records).map {
                    String(decoding: $0.value ?? [], as: UTF8.self)
                } == ["x", "y"])
            #expect(
                set.batches.last.map { $0.isControl && ControlRecord(key: $0.records.first?.key)?.kind == .commit }
                    == true)
            await second.stop()
        }

        /// A transaction past its timeout is aborted by the coordinator and its producer fenced.
        @Test func aTransactionPastItsTimeoutIsAbortedAndItsProducerFenced() async throws {
            try await TestBroker.with { broker in
                try broker.create("slow")
                let socket = try RawKafkaSocket(port: broker.port)
                let producer = try await Self.initTransactions(socket, "slow-writer", timeoutMs: 500)
                _ = try await socket.roundTrip(
                    AddPartitionsToTxnRequest(
                        v3AndBelowTransactionalId: "slow-writer", v3AndBelowProducerId: producer.id,
                        v3AndBelowProducerEpoch: producer.epoch,
                        v3AndBelowTopics: [.init(name: "slow", partitions: [0])]), version: 3)
                _ = try await socket.roundTrip(
                    Requests.produce("slow", records: try Self.transactionalBatch(producer, ["late"], sequence: 0)),
                    version: 9)
                var read = try await Self.committedRead(socket, "slow")
                // The coordinator checks every second; allow for a busy machine.
                try await waitUntil(timeout: .seconds(20), poll: .milliseconds(100)) {
                    read = try await Self.committedRead(socket, "slow")
                    return read.lastStableOffset != 0
                }
                #expect(read.lastStableOffset == 2, "aborted: the record and its ABORT marker are stable")
                #expect(read.abortedTransactions == [.init(producerId: producer.id, firstOffset: 0)])
                let ended = try await socket.roundTrip(
                    EndTxnRequest(
                        transactionalId: "slow-writer", producerId: producer.id,
                        producerEpoch: producer.epoch, committed: true), version: 3)
                #expect(ended.errorCode == ErrorCode.producerFenced.code)
                let old = try await socket.roundTrip(
                    EndTxnRequest(
                        transactionalId: "slow-writer", producerId: producer.id,
                        producerEpoch: producer.epoch, committed: true), version: 1)
                #expect(old.errorCode == ErrorCode.invalidProducerEpoch.code, "older clients get the code they know")
            }
        }

        /// Transactional records outside a transaction that added the partition, and markers
        /// from a producer, are refused (either would hold the last stable offset back for ever).
        @Test func strayTransactionalRecordsAndClientMarkersAreRefused() async throws {
            try await TestBroker.with { broker in
                try broker.create("guarded")
                let socket = try RawKafkaSocket(port: broker.port)
                let producer = try await Self.initTransactions(socket, "guard")
                let stray = try await socket.roundTrip(
                    Requests.produce("guarded", records: try Self.transactionalBatch(producer, ["x"], sequence: 0)),
                    version: 9)
                #expect(stray.responses[0].partitionResponses[0].errorCode == ErrorCode.invalidTxnState.code)
                let marker = try RecordBatch(
                    records: [
                        Record(
                            timestamp: 1, key: ControlRecord.markerKey(.commit),
                            value: ControlRecord.markerValue(coordinatorEpoch: 0))
                    ],
                    producerId: producer.id, producerEpoch: producer.epoch, isTransactional: true, isControl: true
                ).encoded()
                let forged = try await socket.roundTrip(Requests.produce("guarded", records: marker), version: 9)
                #expect(forged.responses[0].partitionResponses[0].errorCode == ErrorCode.invalidRecord.code)
                #expect(broker.broker.topics.log("guarded", 0)?.logEndOffset == 0)
            }
        }
    }
}
