import KafkaLog
import KafkaProtocol

/// A Produce whose records are appended, and the answer it gives once they are durable.
struct AppendedProduce: Sendable {
    var response: ProduceResponse
    /// With acks=all: where each appended partition must be durable before the answer.
    var durableWaits: [(topic: Int, partition: Int, log: PartitionLog, offset: Int64)]
}

/// Produce: validate each partition's batches, append them, and answer per `acks`.
/// Appending and answering are separate steps: the connection reads (and appends) the
/// requests a client pipelines while earlier ones wait for their acks=all sync.
extension Broker {
    func produce(_ request: ProduceRequest, version: Int16) async -> AppendedProduce {
        var responses: [ProduceResponse.TopicProduceResponse] = []
        // acks=all answers once every appended partition is durable under the flush policy.
        var durableWaits: [(topic: Int, partition: Int, log: PartitionLog, offset: Int64)] = []
        let now = Self.nowMs()
        for topicData in request.topicData {
            var partitions: [ProduceResponse.TopicProduceResponse.PartitionProduceResponse] = []
            for data in topicData.partitionData {
                var answer = ProduceResponse.TopicProduceResponse.PartitionProduceResponse(
                    index: data.index, baseOffset: -1)
                do {
                    // v0–v2 carry message sets of magic 0 and 1; the log keeps magic-2 batches.
                    let records =
                        version < 3
                        ? try MessageFormats.upConverted(data.records ?? []) : data.records ?? []
                    let (log, result) = try await append(
                        topic: topicData.name, partition: data.index, records: records, now: now)
                    answer.baseOffset = result.baseOffset
                    answer.logAppendTimeMs = result.logAppendTime
                    answer.logStartOffset = log.logStartOffset
                    if request.acks == -1 {
                        durableWaits.append((responses.count, partitions.count, log, result.lastOffset))
                    }
                } catch {
                    answer.errorCode = error.code.code
                    answer.errorMessage = error.message
                    if error.code != .unknownTopicOrPartition {
                        logger.debug("produce to \(topicData.name)-\(data.index) refused: \(error.message)")
                    }
                }
                partitions.append(answer)
            }
            responses.append(ProduceResponse.TopicProduceResponse(name: topicData.name, partitionResponses: partitions))
        }
        return AppendedProduce(response: ProduceResponse(responses: responses), durableWaits: durableWaits)
    }

    /// The answer to an appended Produce, once what acks=all waits for is durable.
    func answer(_ appended: AppendedProduce) async -> ProduceResponse {
        var response = appended.response
        for wait in appended.durableWaits {
            do {
                try await durability.waitUntilDurable(wait.log, offset: wait.offset)
            } catch {
                response.responses[wait.topic].partitionResponses[wait.partition].errorCode =
                    ErrorCode.kafkaStorageError.code
                response.responses[wait.topic].partitionResponses[wait.partition].errorMessage = "\(error)"
            }
        }
        return response
    }

    /// Validates and appends one partition's records. Transactional records must belong to
    /// a transaction under way that added this partition; markers are the coordinator's to write.
    private func append(
        topic: String, partition: Int32, records: [UInt8], now: Int64
    ) async throws(BrokerError) -> (PartitionLog, AppendResult) {
        guard let log = topics.log(topic, partition) else {
            throw BrokerError(.unknownTopicOrPartition, "no partition \(topic)-\(partition)")
        }
        let headers: [RecordBatchHeader]
        do {
            headers = try PartitionLog.validate(records, maxMessageBytes: log.logConfig.maxMessageBytes)
        } catch {
            throw BrokerError(Self.code(for: error), error.description)
        }
        if headers.contains(where: \.attributes.isControl) {
            throw BrokerError(
                .invalidRecord, "control batches (transaction markers) are written by the coordinator, not by producers"
            )
        }
        if let transactional = headers.first(where: \.attributes.isTransactional) {
            let verdict = await transactions.verifyProduce(
                producerId: transactional.producerId, epoch: transactional.producerEpoch,
                topic: topic, partition: partition)
            guard verdict == .none else {
                throw BrokerError(
                    verdict,
                    "transactional records from producer \(transactional.producerId) outside a transaction that added \(topic)-\(partition)"
                )
            }
        }
        do {
            let result = try log.append(records, headers: headers, now: now)
            if !result.duplicate { durability.appended(log, lastOffset: result.lastOffset) }
            return (log, result)
        } catch {
            throw BrokerError(Self.code(for: error), error.description)
        }
    }

    /// The Kafka error code a log error is answered with.
    static func code(for error: LogError) -> ErrorCode {
        switch error {
        case .corruptBatch: return .corruptMessage
        case .batchTooLarge: return .messageTooLarge
        case .offsetOutOfRange: return .offsetOutOfRange
        case .outOfOrderSequence: return .outOfOrderSequenceNumber
        case .staleProducerEpoch: return .invalidProducerEpoch
        case .unknownProducer: return .unknownProducerId
        case .invalidConfig: return .invalidConfig
        case .io: return .kafkaStorageError
        }
    }
}
