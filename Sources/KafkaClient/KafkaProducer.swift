import Foundation
import KafkaProtocol

/// A record to produce.
public struct ProducerRecord: Sendable {
    public var topic: String
    public var key: [UInt8]?
    public var value: [UInt8]?
    public var headers: [RecordHeader]
    /// nil: chosen by the partitioner.
    public var partition: Int32?
    /// Milliseconds since the epoch; nil: now.
    public var timestamp: Int64?

    public init(topic: String, key: [UInt8]? = nil, value: [UInt8]?, headers: [RecordHeader] = [],
                partition: Int32? = nil, timestamp: Int64? = nil) {
        self.topic = topic
        self.key = key
        self.value = value
        self.headers = headers
        self.partition = partition
        self.timestamp = timestamp
    }
}

/// Where a produced record was written.
public struct RecordMetadata: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    /// -1 when acks=0 (the broker does not say).
    public var offset: Int64
    public var timestamp: Int64
}

struct TopicPartition: Hashable, Sendable {
    var topic: String
    var partition: Int32
}

/// Batches records per partition and sends each batch to its partition's leader.
///
/// Properties (librdkafka / Java names): `linger.ms` (default 5), `batch.size`
/// (bytes, default 1,000,000), `acks` (all, -1, 0, 1; default all),
/// `compression.type` (none, gzip, snappy, lz4, zstd), `retries` (default 5),
/// `retry.backoff.ms` (default 100), `request.timeout.ms`.
public actor KafkaProducer {
    public let cluster: KafkaCluster
    private let lingerMs: Int
    private let batchSize: Int
    private let acks: Int16
    private let compression: CompressionCodec
    private let retries: Int
    private let retryBackoffMs: Int
    private let requestTimeoutMs: Int

    private struct PendingBatch {
        var records: [Record] = []
        var bytes = 0
        /// One per record; nil for records whose delivery nobody awaits.
        var waiters: [CheckedContinuation<RecordMetadata, Error>?] = []
    }

    private var pending: [TopicPartition: PendingBatch] = [:]
    private var partitionCounts: [String: Int] = [:]
    private var stickyPartitions: [String: Int32] = [:]
    private var lingerTask: Task<Void, Never>?
    private var inFlight: [UUID: Task<Void, Never>] = [:]
    private var firstUnawaitedError: Error?

    public init(cluster: KafkaCluster) throws {
        self.cluster = cluster
        let config = cluster.config
        lingerMs = try config.integer("linger.ms", default: 5)
        batchSize = try config.integer("batch.size", default: 1_000_000)
        switch config["acks"] ?? "all" {
        case "all", "-1": acks = -1
        case "0": acks = 0
        case "1": acks = 1
        case let other: throw KafkaClientError.configuration("acks must be all, -1, 0 or 1, not '\(other)'")
        }
        let codecName = config["compression.type"] ?? config["compression.codec"] ?? "none"
        guard let codec = CompressionCodec(name: codecName) else {
            throw KafkaClientError.configuration("compression.type must be none, gzip, snappy, lz4 or zstd, not '\(codecName)'")
        }
        compression = codec
        retries = try config.integer("retries", default: 5)
        retryBackoffMs = try config.integer("retry.backoff.ms", default: 100)
        requestTimeoutMs = try config.requestTimeoutMs()
    }

    /// Sends one record and waits until the broker has it (per `acks`).
    public func send(_ record: ProducerRecord) async throws -> RecordMetadata {
        let target = try await partition(for: record)
        return try await withCheckedThrowingContinuation { continuation in
            append(record, to: target, waiter: continuation)
        }
    }

    /// Queues one record without waiting for it; a failure is thrown by the next `flush()`.
    public func enqueue(_ record: ProducerRecord) async throws {
        try await enqueue(contentsOf: [record])
    }

    /// Queues many records with one call (one hop onto the producer instead of one per record);
    /// failures are thrown by the next `flush()`.
    public func enqueue(contentsOf records: [ProducerRecord]) async throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for var record in records {
            if record.timestamp == nil { record.timestamp = now }
            let target = try await partition(for: record)
            append(record, to: target, waiter: nil)
        }
    }

    /// Sends everything queued and waits for it; throws the first failure of a record nobody awaited.
    public func flush() async throws {
        lingerTask?.cancel()
        lingerTask = nil
        drain(Array(pending.keys))
        while let (_, task) = inFlight.first {
            await task.value
        }
        if let error = firstUnawaitedError {
            firstUnawaitedError = nil
            throw error
        }
    }

    private func partition(for record: ProducerRecord) async throws -> TopicPartition {
        if let partition = record.partition { return TopicPartition(topic: record.topic, partition: partition) }
        let count: Int
        if let known = partitionCounts[record.topic] {
            count = known
        } else {
            count = try await cluster.topic(record.topic, allowAutoCreation: true).partitions.count
            guard count > 0 else { throw KafkaClientError.unknownTopicOrPartition(record.topic) }
            partitionCounts[record.topic] = count
        }
        if let key = record.key {
            return TopicPartition(topic: record.topic, partition: Partitioner.partition(forKey: key, partitionCount: count))
        }
        if let sticky = stickyPartitions[record.topic] { return TopicPartition(topic: record.topic, partition: sticky) }
        let chosen = Int32.random(in: 0..<Int32(count))
        stickyPartitions[record.topic] = chosen
        return TopicPartition(topic: record.topic, partition: chosen)
    }

    private func append(_ record: ProducerRecord, to target: TopicPartition, waiter: CheckedContinuation<RecordMetadata, Error>?) {
        let timestamp = record.timestamp ?? Int64(Date().timeIntervalSince1970 * 1000)
        // Modified in place: copying the batch out of the dictionary would copy its arrays on every append.
        let bytes = modifyPending(target) { batch in
            batch.records.append(Record(timestamp: timestamp, key: record.key, value: record.value, headers: record.headers))
            batch.bytes += (record.key?.count ?? 0) + (record.value?.count ?? 0) + 16
            batch.waiters.append(waiter)
            return batch.bytes
        }
        if bytes >= batchSize {
            drain([target])
        } else if lingerTask == nil {
            let delay = UInt64(max(lingerMs, 0)) * 1_000_000
            lingerTask = Task { [weak self] in
                try? await Task.sleep(nanoseconds: delay)
                await self?.lingerExpired()
            }
        }
    }

    private func modifyPending<Result>(_ target: TopicPartition, _ body: (inout PendingBatch) -> Result) -> Result {
        body(&pending[target, default: PendingBatch()])
    }

    private func lingerExpired() {
        lingerTask = nil
        drain(Array(pending.keys))
    }

    /// Takes the batches of `targets` off the queue and starts sending them.
    private func drain(_ targets: [TopicPartition]) {
        var batches: [(TopicPartition, PendingBatch)] = []
        for target in targets {
            guard let batch = pending.removeValue(forKey: target), !batch.records.isEmpty else { continue }
            // The next keyless record of this topic may pick another partition.
            if stickyPartitions[target.topic] == target.partition { stickyPartitions[target.topic] = nil }
            batches.append((target, batch))
        }
        guard !batches.isEmpty else { return }
        let id = UUID()
        inFlight[id] = Task {
            await withTaskGroup(of: Void.self) { group in
                for (target, batch) in batches {
                    group.addTask { await self.deliver(batch, to: target, attempt: 0) }
                }
            }
            self.finished(id)
        }
    }

    private func finished(_ id: UUID) {
        inFlight[id] = nil
    }

    /// Sends one batch to its leader, retrying retriable failures after a metadata refresh.
    private func deliver(_ batch: PendingBatch, to target: TopicPartition, attempt: Int) async {
        do {
            let baseOffset = try await produce(batch.records, to: target)
            for (index, waiter) in batch.waiters.enumerated() {
                let offset = baseOffset < 0 ? -1 : baseOffset + Int64(index)
                waiter?.resume(returning: RecordMetadata(topic: target.topic, partition: target.partition,
                                                         offset: offset, timestamp: batch.records[index].timestamp))
            }
        } catch {
            let retriable = (error as? KafkaClientError)?.isRetriable ?? false
            if retriable, attempt < retries {
                await cluster.invalidate(topic: target.topic)
                try? await Task.sleep(nanoseconds: UInt64(retryBackoffMs) * 1_000_000 << min(attempt, 5))
                await deliver(batch, to: target, attempt: attempt + 1)
                return
            }
            var unawaited = false
            for waiter in batch.waiters {
                if let waiter { waiter.resume(throwing: error) } else { unawaited = true }
            }
            if unawaited, firstUnawaitedError == nil { firstUnawaitedError = error }
        }
    }

    /// One Produce request for one partition's batch; returns the base offset (-1 for acks=0).
    private func produce(_ records: [Record], to target: TopicPartition) async throws -> Int64 {
        let connection = try await cluster.leader(topic: target.topic, partition: target.partition)
        let batch = try RecordBatch(records: records, compression: compression).encoded()
        let request = ProduceRequest(acks: acks, timeoutMs: Int32(requestTimeoutMs), topicData: [
            ProduceRequest.TopicProduceData(name: target.topic, partitionData: [
                ProduceRequest.TopicProduceData.PartitionProduceData(index: target.partition, records: batch),
            ]),
        ])
        let version = try connection.version(for: ProduceRequest.self)
        if acks == 0 {
            try await connection.sendWithoutResponse(request, version: version)
            return -1
        }
        let response = try await connection.send(request, version: version)
        guard let answer = response.responses.first(where: { $0.name == target.topic })?
            .partitionResponses.first(where: { $0.index == target.partition }) else {
            throw KafkaClientError.unknownTopicOrPartition("\(target.topic)-\(target.partition)")
        }
        let code = ErrorCode(code: answer.errorCode)
        guard code == .none else {
            throw KafkaClientError.broker(code, context: "produce to \(target.topic)-\(target.partition)"
                + (answer.errorMessage.map { " (\($0))" } ?? ""))
        }
        return answer.baseOffset
    }
}
