import KafkaLog
import KafkaProtocol

/// ListOffsets, DeleteRecords and InitProducerId.
extension Broker {
    /// Earliest (-2) is the log start; latest (-1) is the high watermark (what consumers can
    /// read; the last stable offset for read_committed); a timestamp finds the first record at or after it, record by record (-1/-1 when
    /// there is none). v7+ also answer -3, the record with the largest timestamp; v8+ -4, the
    /// earliest local offset (the log start: nothing is tiered); v9+ -5, the latest tiered
    /// offset (none: -1). v0 answers in its old form: a list of offsets.
    func listOffsets(_ request: ListOffsetsRequest, version: Int16) -> ListOffsetsResponse {
        ListOffsetsResponse(
            topics: request.topics.map { topic in
                ListOffsetsResponse.ListOffsetsTopicResponse(
                    name: topic.name,
                    partitions: topic.partitions.map { wanted in
                        var answer = ListOffsetsResponse.ListOffsetsTopicResponse.ListOffsetsPartitionResponse(
                            partitionIndex: wanted.partitionIndex)
                        guard let log = topics.log(topic.name, wanted.partitionIndex) else {
                            answer.errorCode = ErrorCode.unknownTopicOrPartition.code
                            return answer
                        }
                        var offset: Int64 = -1, timestamp: Int64 = -1
                        switch wanted.timestamp {
                        case -2: offset = log.logStartOffset
                        case -1: offset = request.isolationLevel == 1 ? log.lastStableOffset : log.highWatermark
                        case let target where target >= 0:
                            do throws(LogError) {
                                if let found = try log.offset(forTimestamp: target) { (offset, timestamp) = found }
                            } catch {
                                answer.errorCode = Self.code(for: error).code
                            }
                        case -3 where version >= 7:
                            // MAX_TIMESTAMP (KIP-734): the record with the largest timestamp.
                            do throws(LogError) {
                                if let found = try log.maxTimestampRecord() { (offset, timestamp) = found }
                            } catch {
                                answer.errorCode = Self.code(for: error).code
                            }
                        case -4 where version >= 8:
                            // EARLIEST_LOCAL (KIP-405): without tiered storage, the log start.
                            offset = log.logStartOffset
                        case -5 where version >= 9:
                            // LATEST_TIERED (KIP-1005): nothing is tiered here.
                            break
                        default:
                            // A special timestamp this version does not know.
                            answer.errorCode = ErrorCode.unsupportedVersion.code
                        }
                        if version == 0 {
                            answer.oldStyleOffsets = offset >= 0 ? [offset] : []
                        } else {
                            answer.offset = offset
                            answer.timestamp = timestamp
                        }
                        return answer
                    })
            })
    }

    func deleteRecords(_ request: DeleteRecordsRequest) -> DeleteRecordsResponse {
        let response = DeleteRecordsResponse(
            topics: request.topics.map { topic in
                DeleteRecordsResponse.DeleteRecordsTopicResult(
                    name: topic.name,
                    partitions: topic.partitions.map { wanted in
                        var answer = DeleteRecordsResponse.DeleteRecordsTopicResult.DeleteRecordsPartitionResult(
                            partitionIndex: wanted.partitionIndex)
                        guard let log = topics.log(topic.name, wanted.partitionIndex) else {
                            answer.errorCode = ErrorCode.unknownTopicOrPartition.code
                            return answer
                        }
                        do throws(LogError) {
                            answer.lowWatermark = try log.deleteRecords(before: wanted.offset)
                        } catch {
                            answer.errorCode = Self.code(for: error).code
                            answer.lowWatermark = log.logStartOffset
                        }
                        return answer
                    })
            })
        try? topics.logs.checkpointLogStartOffsets()
        return response
    }

    /// A producer id: a new one for an idempotent producer; for a transactional id, the
    /// coordinator's (with a new epoch that fences the previous owner).
    func initProducerId(_ request: InitProducerIdRequest) async -> InitProducerIdResponse {
        if let transactionalId = request.transactionalId, !transactionalId.isEmpty {
            return await transactions.initProducerId(request, transactionalId: transactionalId)
        }
        return InitProducerIdResponse(producerId: nextProducerId(), producerEpoch: 0)
    }
}

/// DescribeProducers: each partition's idempotent and transactional producers, as its log
/// knows them (the state it checks sequences against), with the start of any open transaction.
extension Broker {
    func describeProducers(_ request: DescribeProducersRequest) -> DescribeProducersResponse {
        DescribeProducersResponse(
            topics: request.topics.map { topic in
                .init(
                    name: topic.name,
                    partitions: topic.partitionIndexes.map { index in
                        guard let log = topics.log(topic.name, index) else {
                            return .init(
                                partitionIndex: index, errorCode: ErrorCode.unknownTopicOrPartition.code,
                                errorMessage: "no partition \(topic.name)-\(index)")
                        }
                        return .init(
                            partitionIndex: index,
                            activeProducers: log.activeProducers.map { entry in
                                .init(
                                    producerId: entry.producer.producerId, producerEpoch: Int32(entry.producer.epoch),
                                    lastSequence: entry.producer.lastSequence,
                                    lastTimestamp: entry.producer.lastTimestamp, coordinatorEpoch: -1,
                                    currentTxnStartOffset: entry.openTransactionStart)
                            })
                    })
            })
    }
}
