import Foundation
import KafkaLog
import KafkaProtocol
import Logging

/// The transaction coordinator: InitProducerId with a transactional id, AddPartitionsToTxn,
/// AddOffsetsToTxn, TxnOffsetCommit and EndTxn. Each transactional id's state is a
/// `TransactionalProducer`; this actor checks requests against it, writes the COMMIT or
/// ABORT markers into every partition the transaction touched (and waits until they are
/// durable), applies its offsets on commit, aborts transactions that outlive their
/// timeout, and saves the state to `DATA/weir-transactions.json` (rewritten atomically)
/// on every change, so transactions survive a restart. (Kafka keeps this state in the
/// internal topic `__transaction_state`.)
actor TransactionCoordinator {
    private let topics: TopicStore
    private let durability: Durability
    private let groups: GroupCoordinator
    private let logger: Logger
    private let path: String
    private let newProducerId: @Sendable () -> Int64
    private var producers: [String: TransactionalProducer] = [:]
    /// `transaction.max.timeout.ms` (Kafka's default: 15 minutes).
    static let maxTimeoutMs: Int32 = 900_000

    init(
        dataDirectory: String, topics: TopicStore, durability: Durability, groups: GroupCoordinator, logger: Logger,
        newProducerId: @escaping @Sendable () -> Int64
    ) throws {
        self.topics = topics
        self.durability = durability
        self.groups = groups
        self.logger = logger
        self.newProducerId = newProducerId
        path = dataDirectory + "/weir-transactions.json"
        if let data = FileManager.default.contents(atPath: path) {
            let saved = try JSONDecoder().decode([TransactionalProducer].self, from: data)
            producers = Dictionary(uniqueKeysWithValues: saved.map { ($0.transactionalId, $0) })
        }
    }

    /// The largest producer id handed to a transactional id (so a restart gives out new ones).
    static func largestSavedProducerId(dataDirectory: String) -> Int64 {
        guard let data = FileManager.default.contents(atPath: dataDirectory + "/weir-transactions.json"),
            let saved = try? JSONDecoder().decode([TransactionalProducer].self, from: data)
        else { return -1 }
        return saved.map(\.producerId).max() ?? -1
    }

    // MARK: Requests

    func initProducerId(_ request: InitProducerIdRequest, transactionalId: String) async -> InitProducerIdResponse {
        guard request.transactionTimeoutMs > 0, request.transactionTimeoutMs <= Self.maxTimeoutMs else {
            return InitProducerIdResponse(
                errorCode: ErrorCode.invalidTransactionTimeout.code, producerId: -1, producerEpoch: -1)
        }
        var producer: TransactionalProducer
        if var known = producers[transactionalId] {
            if known.ongoing {
                // The previous owner's transaction can never finish now: abort it.
                if let failure = await end(&known, commit: false) {
                    return InitProducerIdResponse(errorCode: failure.code, producerId: -1, producerEpoch: -1)
                }
            }
            known.bumpEpoch(newProducerId: newProducerId)
            producer = known
        } else {
            producer = TransactionalProducer(
                transactionalId: transactionalId, producerId: newProducerId(), epoch: 0, timeoutMs: 0)
        }
        producer.timeoutMs = request.transactionTimeoutMs
        guard save(producer) else {
            return InitProducerIdResponse(
                errorCode: ErrorCode.kafkaStorageError.code, producerId: -1, producerEpoch: -1)
        }
        return InitProducerIdResponse(producerId: producer.producerId, producerEpoch: producer.epoch)
    }

    /// PRODUCER_FENCED came with KIP-588; clients that ask with an older version know only
    /// INVALID_PRODUCER_EPOCH (aiokafka, for one, treats anything else as an unknown error).
    private static func compatible(_ code: ErrorCode, knowsFenced: Bool) -> ErrorCode {
        code == .producerFenced && !knowsFenced ? .invalidProducerEpoch : code
    }

    func addPartitions(_ request: AddPartitionsToTxnRequest, version: Int16) -> AddPartitionsToTxnResponse {
        func answer(_ code: (String, Int32) -> ErrorCode) -> AddPartitionsToTxnResponse {
            AddPartitionsToTxnResponse(
                resultsByTopicV3AndBelow: request.v3AndBelowTopics.map { topic in
                    .init(
                        name: topic.name,
                        resultsByPartition: topic.partitions.map {
                            .init(partitionIndex: $0, partitionErrorCode: code(topic.name, $0).code)
                        })
                })
        }
        guard var producer = producers[request.v3AndBelowTransactionalId] else {
            return answer { _, _ in .invalidProducerIdMapping }
        }
        let owner = Self.compatible(
            producer.check(producerId: request.v3AndBelowProducerId, epoch: request.v3AndBelowProducerEpoch),
            knowsFenced: version >= 2)
        guard owner == .none else { return answer { _, _ in owner } }
        let missing = Set(
            request.v3AndBelowTopics.flatMap { topic in
                topic.partitions.filter { topics.log(topic.name, $0) == nil }.map {
                    TransactionalProducer.Partition(topic: topic.name, partition: $0)
                }
            })
        guard missing.isEmpty else {
            // None is added when one is unknown; the others are "not attempted", as Kafka answers.
            return answer {
                missing.contains(.init(topic: $0, partition: $1)) ? .unknownTopicOrPartition : .operationNotAttempted
            }
        }
        producer.begin(now: Broker.nowMs())
        for topic in request.v3AndBelowTopics {
            for partition in topic.partitions {
                producer.partitions.insert(.init(topic: topic.name, partition: partition))
            }
        }
        guard save(producer) else { return answer { _, _ in .kafkaStorageError } }
        return answer { _, _ in .none }
    }

    func addOffsets(_ request: AddOffsetsToTxnRequest, version: Int16) -> AddOffsetsToTxnResponse {
        guard var producer = producers[request.transactionalId] else {
            return AddOffsetsToTxnResponse(errorCode: ErrorCode.invalidProducerIdMapping.code)
        }
        let owner = Self.compatible(
            producer.check(producerId: request.producerId, epoch: request.producerEpoch), knowsFenced: version >= 2)
        guard owner == .none else { return AddOffsetsToTxnResponse(errorCode: owner.code) }
        producer.begin(now: Broker.nowMs())
        producer.groups.insert(request.groupId)
        return AddOffsetsToTxnResponse(errorCode: (save(producer) ? ErrorCode.none : .kafkaStorageError).code)
    }

    func commitOffsets(_ request: TxnOffsetCommitRequest, version: Int16) -> TxnOffsetCommitResponse {
        func answer(_ code: ErrorCode) -> TxnOffsetCommitResponse {
            TxnOffsetCommitResponse(
                topics: request.topics.map { topic in
                    .init(
                        name: topic.name,
                        partitions: topic.partitions.map {
                            .init(partitionIndex: $0.partitionIndex, errorCode: code.code)
                        })
                })
        }
        guard var producer = producers[request.transactionalId] else { return answer(.invalidProducerIdMapping) }
        let owner = Self.compatible(
            producer.check(producerId: request.producerId, epoch: request.producerEpoch), knowsFenced: version >= 3)
        guard owner == .none else { return answer(owner) }
        guard producer.ongoing, producer.groups.contains(request.groupId) else { return answer(.invalidTxnState) }
        for topic in request.topics {
            for partition in topic.partitions {
                producer.pendingOffsets.removeAll {
                    $0.group == request.groupId && $0.topic == topic.name && $0.partition == partition.partitionIndex
                }
                producer.pendingOffsets.append(
                    .init(
                        group: request.groupId, topic: topic.name, partition: partition.partitionIndex,
                        offset: partition.committedOffset, leaderEpoch: partition.committedLeaderEpoch,
                        metadata: partition.committedMetadata))
            }
        }
        return answer(save(producer) ? .none : .kafkaStorageError)
    }

    func endTransaction(_ request: EndTxnRequest, version: Int16) async -> EndTxnResponse {
        guard var producer = producers[request.transactionalId] else {
            return EndTxnResponse(errorCode: ErrorCode.invalidProducerIdMapping.code)
        }
        let owner = Self.compatible(
            producer.check(producerId: request.producerId, epoch: request.producerEpoch), knowsFenced: version >= 2)
        guard owner == .none else { return EndTxnResponse(errorCode: owner.code) }
        // Nothing under way: a retry of an EndTxn already done, or an empty transaction.
        guard producer.ongoing else { return EndTxnResponse() }
        if let failure = await end(&producer, commit: request.committed) {
            return EndTxnResponse(errorCode: failure.code)
        }
        return EndTxnResponse(errorCode: (save(producer) ? ErrorCode.none : .kafkaStorageError).code)
    }

    /// Whether a Produce of transactional records from this producer to this partition
    /// belongs to a transaction under way that added the partition. (Without this check a
    /// stray batch would hold the last stable offset back for ever.)
    func verifyProduce(producerId: Int64, epoch: Int16, topic: String, partition: Int32) -> ErrorCode {
        guard let producer = producers.values.first(where: { $0.producerId == producerId }) else {
            return .invalidProducerIdMapping
        }
        let owner = producer.check(producerId: producerId, epoch: epoch)
        guard owner == .none else { return owner == .producerFenced ? .invalidProducerEpoch : owner }
        return producer.ongoing && producer.partitions.contains(.init(topic: topic, partition: partition))
            ? .none : .invalidTxnState
    }

    /// Every second: transactions past their timeout are aborted and their owners fenced.
    func runTimeouts() async {
        while !Task.isCancelled {
            try? await Task.sleep(nanoseconds: 1_000_000_000)
            let now = Broker.nowMs()
            for id in producers.keys.sorted() {
                guard var producer = producers[id], producer.hasTimedOut(now: now) else { continue }
                logger.info("transaction of \(id) timed out after \(producer.timeoutMs) ms: aborting it")
                if await end(&producer, commit: false) == nil {
                    producer.bumpEpoch(newProducerId: newProducerId)
                    _ = save(producer)
                }
            }
        }
    }

    // MARK: Ending

    /// Writes the COMMIT or ABORT marker into every partition of the transaction and waits
    /// until they are durable; on commit, applies its offsets. Returns the failure, if any.
    private func end(_ producer: inout TransactionalProducer, commit: Bool) async -> ErrorCode? {
        let now = Broker.nowMs()
        let kind: ControlRecord.Kind = commit ? .commit : .abort
        let marker: [UInt8]
        let headers: [RecordBatchHeader]
        do {
            marker = try RecordBatch(
                records: [
                    Record(
                        timestamp: now, key: ControlRecord.markerKey(kind),
                        value: ControlRecord.markerValue(coordinatorEpoch: 0))
                ],
                producerId: producer.producerId, producerEpoch: producer.epoch, isTransactional: true, isControl: true
            ).encoded()
            headers = try PartitionLog.validate(marker, maxMessageBytes: .max)
        } catch {
            return .unknownServerError
        }
        var written: [(PartitionLog, Int64)] = []
        for partition in producer.partitions.sorted() {
            // A partition deleted meanwhile has nothing left to mark.
            guard let log = topics.log(partition.topic, partition.partition) else { continue }
            do {
                let result = try log.append(marker, headers: headers, now: now)
                durability.appended(log, lastOffset: result.lastOffset)
                written.append((log, result.lastOffset))
            } catch {
                logger.error(
                    "cannot write the \(kind) marker of \(producer.transactionalId) to \(partition.topic)-\(partition.partition): \(error)"
                )
                return .kafkaStorageError
            }
        }
        do {
            for (log, offset) in written { try await durability.waitUntilDurable(log, offset: offset) }
            if commit {
                for (group, offsets) in Dictionary(grouping: producer.pendingOffsets, by: \.group) {
                    var changes: [TopicPartition: OffsetStore.Committed?] = [:]
                    for pending in offsets {
                        changes[TopicPartition(topic: pending.topic, partition: pending.partition)] =
                            OffsetStore.Committed(
                                offset: pending.offset, leaderEpoch: pending.leaderEpoch, metadata: pending.metadata,
                                commitTimestamp: now)
                    }
                    try await groups.storeOffsets(group: group, changes, now: now)
                }
            }
        } catch {
            logger.error("cannot complete the transaction of \(producer.transactionalId): \(error)")
            return .kafkaStorageError
        }
        producer.finish(committed: commit)
        return nil
    }

    // MARK: Describing

    /// ListTransactions: the transactional ids, filtered by state and producer id, and (v1)
    /// to those open longer than `durationFilter` ms.
    func list(_ request: ListTransactionsRequest) -> ListTransactionsResponse {
        let known = [
            "Empty", "Ongoing", "PrepareCommit", "PrepareAbort", "CompleteCommit", "CompleteAbort", "Dead",
            "PrepareEpochFence",
        ]
        let now = Broker.nowMs()
        let listed = producers.values.sorted { $0.transactionalId < $1.transactionalId }.filter { producer in
            (request.stateFilters.isEmpty || request.stateFilters.contains(producer.state))
                && (request.producerIdFilters.isEmpty || request.producerIdFilters.contains(producer.producerId))
                && (request.durationFilter < 0
                    || (producer.ongoing && now - producer.startedMs > request.durationFilter))
        }
        return ListTransactionsResponse(
            unknownStateFilters: request.stateFilters.filter { !known.contains($0) },
            transactionStates: listed.map {
                .init(transactionalId: $0.transactionalId, producerId: $0.producerId, transactionState: $0.state)
            })
    }

    /// DescribeTransactions: each transactional id's state, timeout, start, producer and partitions.
    func describe(_ request: DescribeTransactionsRequest) -> DescribeTransactionsResponse {
        DescribeTransactionsResponse(
            transactionStates: request.transactionalIds.map { id in
                guard let producer = producers[id] else {
                    return .init(errorCode: ErrorCode.transactionalIdNotFound.code, transactionalId: id)
                }
                let byTopic = Dictionary(grouping: producer.partitions, by: \.topic)
                return .init(
                    transactionalId: id, transactionState: producer.state, transactionTimeoutMs: producer.timeoutMs,
                    transactionStartTimeMs: producer.ongoing ? producer.startedMs : -1,
                    producerId: producer.producerId, producerEpoch: producer.epoch,
                    topics: byTopic.keys.sorted().map { topic in
                        .init(topic: topic, partitions: byTopic[topic]!.map(\.partition).sorted())
                    })
            })
    }

    // MARK: Saving

    /// Keeps the new state and saves every transactional id's; false when it cannot be saved.
    private func save(_ producer: TransactionalProducer) -> Bool {
        let previous = producers[producer.transactionalId]
        producers[producer.transactionalId] = producer
        guard previous != producer else { return true }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let data = try encoder.encode(producers.values.sorted { $0.transactionalId < $1.transactionalId })
            try writeAtomically(Array(data), to: path)
            return true
        } catch {
            logger.error("cannot save transaction state: \(error)")
            producers[producer.transactionalId] = previous
            return false
        }
    }
}
