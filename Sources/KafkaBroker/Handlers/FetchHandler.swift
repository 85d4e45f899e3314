import Foundation
import KafkaLog
import KafkaProtocol

/// Fetch: read each requested partition from its offset (to the last stable offset for
/// read_committed, listing the aborted transactions among what is returned); when fewer than `minBytes` are
/// there, wait (up to `maxWaitMs`) until a partition's high watermark moves, then read again.
/// Readers of Fetch v0–v3 get the records down-converted (`MessageFormats`).
/// Fetch sessions are not kept (the answer's session id is 0), so clients send full requests.
extension Broker {
    func fetch(_ request: FetchRequest, version: Int16) async -> FetchResponse {
        let deadline = Date().addingTimeInterval(Double(max(request.maxWaitMs, 0)) / 1000)
        // read_committed (1): up to the last stable offset, with the aborted transactions listed.
        let isolation: IsolationLevel = request.isolationLevel == 1 ? .committed : .uncommitted
        while true {
            var seen: [(PartitionLog, UInt64)] = []
            var total = 0
            var failed = false
            var responses: [FetchResponse.FetchableTopicResponse] = []
            for topic in request.topics {
                var partitions: [FetchResponse.FetchableTopicResponse.PartitionData] = []
                for wanted in topic.partitions {
                    var data = FetchResponse.FetchableTopicResponse.PartitionData(
                        partitionIndex: wanted.partition, records: [])
                    guard let log = topics.log(topic.topic, wanted.partition) else {
                        data.errorCode = ErrorCode.unknownTopicOrPartition.code
                        failed = true
                        partitions.append(data)
                        continue
                    }
                    seen.append((log, watch.version(of: log)))
                    // KIP-74: maxBytes bounds the whole answer, but the first batch is always given.
                    let budget = min(Int(wanted.partitionMaxBytes), Int(request.maxBytes) - total)
                    do throws(LogError) {
                        let read =
                            budget > 0 || total == 0
                            ? try log.read(from: wanted.fetchOffset, maxBytes: max(budget, 1), isolation: isolation)
                            : try log.read(
                                from: wanted.fetchOffset, maxBytes: 1, limit: wanted.fetchOffset, isolation: isolation)
                        data.records = read.records
                        data.highWatermark = read.highWatermark
                        data.lastStableOffset = read.lastStableOffset
                        data.logStartOffset = read.logStartOffset
                        if isolation == .committed {
                            data.abortedTransactions = read.abortedTransactions.map {
                                .init(producerId: $0.producerId, firstOffset: $0.firstOffset)
                            }
                        }
                        total += read.records.count
                    } catch {
                        data.errorCode = Self.code(for: error).code
                        data.highWatermark = log.highWatermark
                        data.logStartOffset = log.logStartOffset
                        failed = true
                    }
                    // v0–v3 readers know messages of magic 0 and 1 only; the log holds magic 2.
                    let magic = MessageFormats.readableMagic(fetchVersion: version)
                    if magic < 2, !log.logConfig.downConversionEnabled {
                        // The topic's message.downconversion.enable=false: Kafka's answer to old readers.
                        data.records = []
                        data.errorCode = ErrorCode.unsupportedVersion.code
                        failed = true
                    } else if magic < 2, let records = data.records, !records.isEmpty {
                        do {
                            data.records = try MessageFormats.downConverted(records, to: magic)
                        } catch {
                            data.records = []
                            data.errorCode = error.code.code
                            failed = true
                        }
                    }
                    partitions.append(data)
                }
                responses.append(FetchResponse.FetchableTopicResponse(topic: topic.topic, partitions: partitions))
            }
            let remaining = Int64(deadline.timeIntervalSinceNow * 1000)
            if total >= Int(request.minBytes) || failed || remaining <= 0 || seen.isEmpty {
                return FetchResponse(responses: responses)
            }
            await watch.wait(for: seen, milliseconds: remaining)
        }
    }
}
