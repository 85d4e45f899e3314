import Foundation
import KafkaLog
import KafkaProtocol

/// Fetch: read each requested partition from its offset (to the last stable offset for
/// read_committed, listing the aborted transactions among what is returned); when fewer than `minBytes` are
/// there, wait (up to `maxWaitMs`) until a partition's high watermark moves, then read again.
/// Readers of Fetch v0–v3 get the records down-converted (`MessageFormats`). From v7 a
/// client may open an incremental fetch session (`FetchSessions`): it then names only the
/// partitions that changed, and hears only of those that did. From v13 topics are named
/// by their ids.
extension Broker {
    func fetch(_ request: FetchRequest, version: Int16) async -> FetchResponse {
        var request = request
        if version >= 13 {
            // v13+ name topics by id (KIP-516); an unknown id reads as no name (UNKNOWN_TOPIC_ID).
            for index in request.topics.indices {
                request.topics[index].topic = topics.topic(id: request.topics[index].topicId)?.name ?? ""
            }
            for index in request.forgottenTopicsData.indices {
                request.forgottenTopicsData[index].topic =
                    topics.topic(id: request.forgottenTopicsData[index].topicId)?.name ?? ""
            }
        }
        let plan: FetchSessions.Plan
        if !FetchSessions.usesSessions(request) {
            plan = FetchSessions.Plan(targets: FetchSessions.targets(of: request), sessionId: 0, incremental: false)
        } else {
            switch await fetchSessions.plan(request) {
            case let .success(planned): plan = planned
            case let .failure(refusal): return FetchResponse(errorCode: refusal.code.code, sessionId: 0)
            }
        }
        let deadline = Date().addingTimeInterval(Double(max(request.maxWaitMs, 0)) / 1000)
        // read_committed (1): up to the last stable offset, with the aborted transactions listed.
        let isolation: IsolationLevel = request.isolationLevel == 1 ? .committed : .uncommitted
        while true {
            var seen: [(PartitionLog, UInt64)] = []
            var total = 0
            var failed = false
            var responses: [FetchResponse.FetchableTopicResponse] = []
            for target in plan.targets {
                let data = read(
                    target, version: version, isolation: isolation, requestMaxBytes: request.maxBytes,
                    answered: &total, seen: &seen)
                if data.errorCode != 0 { failed = true }
                // Partitions of one topic side by side, in the order they were asked for.
                if let last = responses.last, last.topic == target.topic, last.topicId == target.topicId {
                    responses[responses.count - 1].partitions.append(data)
                } else {
                    responses.append(
                        FetchResponse.FetchableTopicResponse(
                            topic: target.topic, topicId: target.topicId, partitions: [data]))
                }
            }
            let remaining = Int64(deadline.timeIntervalSinceNow * 1000)
            if total >= Int(request.minBytes) || failed || remaining <= 0 || seen.isEmpty {
                guard plan.sessionId != 0 else { return FetchResponse(responses: responses) }
                return FetchResponse(
                    sessionId: plan.sessionId, responses: await fetchSessions.filter(responses, for: plan))
            }
            await watch.wait(for: seen, milliseconds: remaining)
        }
    }

    /// One partition's part of a fetch answer. KIP-74: the request's `maxBytes` bounds the
    /// whole answer (`answered` so far), but the first batch is always given.
    private func read(
        _ target: FetchTarget, version: Int16, isolation: IsolationLevel, requestMaxBytes: Int32,
        answered total: inout Int, seen: inout [(PartitionLog, UInt64)]
    ) -> FetchResponse.FetchableTopicResponse.PartitionData {
        var data = FetchResponse.FetchableTopicResponse.PartitionData(partitionIndex: target.partition, records: [])
        guard let log = topics.log(target.topic, target.partition) else {
            data.errorCode = (target.topic.isEmpty ? ErrorCode.unknownTopicId : .unknownTopicOrPartition).code
            return data
        }
        seen.append((log, watch.version(of: log)))
        let budget = min(Int(target.maxBytes), Int(requestMaxBytes) - total)
        do throws(LogError) {
            let read =
                budget > 0 || total == 0
                ? try log.read(from: target.offset, maxBytes: max(budget, 1), isolation: isolation)
                : try log.read(from: target.offset, maxBytes: 1, limit: target.offset, isolation: isolation)
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
            return data
        }
        // v0–v3 readers know messages of magic 0 and 1 only; the log holds magic 2.
        let magic = MessageFormats.readableMagic(fetchVersion: version)
        if magic < 2, !log.logConfig.downConversionEnabled {
            // The topic's message.downconversion.enable=false: Kafka's answer to old readers.
            data.records = []
            data.errorCode = ErrorCode.unsupportedVersion.code
        } else if magic < 2, let records = data.records, !records.isEmpty {
            do {
                let converted = try MessageFormats.downConverted(records, to: magic, budget: max(budget, 1))
                // What the answer holds is the converted bytes: the request's maxBytes counts those.
                total += converted.count - records.count
                data.records = converted
            } catch {
                data.records = []
                data.errorCode = error.code.code
            }
        }
        return data
    }
}
