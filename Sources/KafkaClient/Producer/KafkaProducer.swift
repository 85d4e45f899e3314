import Foundation
import KafkaProtocol

/// Batches records per partition and sends each batch to its partition's leader.
///
/// Records are encoded into their partition's batch as they arrive
/// (`RecordBatchBuilder`); a batch is sealed when it reaches `batch.size` or
/// `linger.ms` passes, then sent in order with up to
/// `max.in.flight.requests.per.connection` unanswered per partition
/// (`PartitionQueue` keeps the order through retries). With idempotence (on by
/// default with acks=all) the producer has an id from InitProducerId and
/// numbers its batches, so a retried batch the broker already wrote is not
/// written twice. Properties: see `ProducerSettings`.
///
/// Keys choose partitions with murmur2 as the Java client and librdkafka
/// (`murmur2_random`) do; keyless records stick to one partition until its
/// batch is sealed.
public actor KafkaProducer {
    public let cluster: KafkaCluster
    let settings: ProducerSettings
    private let log: DebugLog

    /// One topic's partition queues, indexed by partition number. A class, so a
    /// record is appended in place without looking the topic up again.
    private final class TopicQueues {
        let name: String
        var partitions: [PartitionQueue]
        /// Where keyless records go until that partition's batch is sealed.
        var stickyPartition: Int32?

        init(name: String, partitionCount: Int) {
            self.name = name
            partitions = Array(repeating: PartitionQueue(), count: partitionCount)
        }
    }

    private var topics: [String: TopicQueues] = [:]
    /// The idempotent producer's id and epoch, and how many times it was (re)issued.
    private var identity: (producerId: Int64, epoch: Int16)?
    private var identityGeneration = 0
    private var identityRenewal: Task<Void, Error>?
    private var lingerTask: Task<Void, Never>?
    /// Batches sealed and not yet finished (acknowledged or failed for good).
    private var outstanding = 0
    private var sealCount = 0
    private var flushWaiters: [(id: Int, continuation: CheckedContinuation<Void, Never>)] = []
    private var nextWaiterId = 0
    /// Records queued and not yet written nor given up, and records given up (failed for good).
    private var unfinished = 0
    private var undelivered = 0
    private var firstUnawaitedError: Error?

    public init(cluster: KafkaCluster) throws {
        self.cluster = cluster
        settings = try ProducerSettings(config: cluster.config)
        log = DebugLog(config: cluster.config)
    }

    // MARK: Producing

    /// Sends one record and waits until the broker has it (per `acks`).
    public func send(_ record: ProducerRecord) async throws -> RecordMetadata {
        let queues = try await prepare(topic: record.topic)
        let timestamp = record.timestamp ?? Self.now()
        let metadata = try await withCheckedThrowingContinuation {
            (continuation: CheckedContinuation<RecordMetadata, Error>) in
            do {
                try record.key.withOptionalBytes { key in
                    try record.value.withOptionalBytes { value in
                        try append(
                            to: queues, partition: record.partition, timestamp: timestamp, key: key, value: value,
                            headers: record.headers, waiter: continuation)
                    }
                }
            } catch {
                continuation.resume(throwing: error)
            }
        }
        return metadata
    }

    /// Queues one record without waiting for it; a failure is thrown by the next `flush()`.
    public func enqueue(_ record: ProducerRecord) async throws {
        try await enqueue(contentsOf: [record])
    }

    /// Queues many records with one call; failures are thrown by the next `flush()`.
    public func enqueue(contentsOf records: [ProducerRecord]) async throws {
        let now = Self.now()
        for record in records {
            let queues = try await prepare(topic: record.topic)
            try record.key.withOptionalBytes { key in
                try record.value.withOptionalBytes { value in
                    try append(
                        to: queues, partition: record.partition, timestamp: record.timestamp ?? now,
                        key: key, value: value, headers: record.headers, waiter: nil)
                }
            }
        }
    }

    /// Queues a block of records without an allocation per record; failures are
    /// thrown by the next `flush()`.
    public func enqueue(_ records: ProducerRecords) async throws {
        let queues = try await prepare(topic: records.topic)
        let now = Self.now()
        try records.bytes.withUnsafeBytes { buffer in
            for entry in records.entries {
                let key =
                    entry.keyLength < 0
                    ? nil
                    : UnsafeRawBufferPointer(
                        rebasing: buffer[Int(entry.keyStart)..<Int(entry.keyStart + entry.keyLength)])
                let value =
                    entry.valueLength < 0
                    ? nil
                    : UnsafeRawBufferPointer(
                        rebasing: buffer[Int(entry.valueStart)..<Int(entry.valueStart + entry.valueLength)])
                try append(
                    to: queues, partition: entry.partition < 0 ? nil : entry.partition,
                    timestamp: entry.timestamp < 0 ? now : entry.timestamp, key: key, value: value, headers: [],
                    waiter: nil)
            }
        }
    }

    /// Sends everything queued and waits for it; throws the first failure of a record nobody awaited.
    public func flush() async throws {
        lingerTask?.cancel()
        lingerTask = nil
        sealAll()
        if outstanding > 0 {
            let id = nextWaiterId
            nextWaiterId += 1
            await withCheckedContinuation { flushWaiters.append((id, $0)) }
        }
        if let error = firstUnawaitedError {
            firstUnawaitedError = nil
            throw error
        }
    }

    /// Sends everything queued and waits for it at most `limit` (a program stopping while its
    /// broker is away must not wait for the delivery timeout); returns how many records are
    /// not delivered: still queued or in flight, or given up.
    public func flush(within limit: Duration) async -> Int {
        lingerTask?.cancel()
        lingerTask = nil
        sealAll()
        if outstanding > 0 {
            let id = nextWaiterId
            nextWaiterId += 1
            let clock = cluster.config.clock
            let timer = Task {
                try? await clock.sleep(limit)
                self.giveUpWaiting(id)
            }
            await withCheckedContinuation { flushWaiters.append((id, $0)) }
            timer.cancel()
        }
        return unfinished + undelivered
    }

    // MARK: Appending

    /// The topic's queues, made on first use (metadata fetched, the topic created if the
    /// broker does that), and the producer's identity when idempotent.
    private func prepare(topic: String) async throws -> TopicQueues {
        if settings.idempotent, identity == nil { try await renewIdentity() }
        if let known = topics[topic] { return known }
        let metadata = try await cluster.topic(topic, allowAutoCreation: true)
        guard !metadata.partitions.isEmpty else { throw KafkaClientError.unknownTopicOrPartition(topic) }
        if let known = topics[topic] { return known } // made by another call meanwhile
        let queues = TopicQueues(name: topic, partitionCount: metadata.partitions.count)
        topics[topic] = queues
        return queues
    }

    private func append(
        to queues: TopicQueues, partition explicit: Int32?, timestamp: Int64, key: UnsafeRawBufferPointer?,
        value: UnsafeRawBufferPointer?, headers: [RecordHeader], waiter: CheckedContinuation<RecordMetadata, Error>?
    ) throws {
        let count = queues.partitions.count
        let partition: Int
        if let explicit {
            guard explicit >= 0, Int(explicit) < count else {
                throw KafkaClientError.unknownTopicOrPartition("\(queues.name)-\(explicit)")
            }
            partition = Int(explicit)
        } else if let key {
            partition = Int(Partitioner.partition(forKey: key, partitionCount: count))
        } else {
            let sticky = queues.stickyPartition ?? Int32.random(in: 0..<Int32(count))
            queues.stickyPartition = sticky
            partition = Int(sticky)
        }
        if queues.partitions[partition].filling == nil {
            queues.partitions[partition].filling = RecordBatchBuilder(capacity: min(settings.batchSize, 64 * 1024))
            startLingerTimer()
        }
        if let waiter {
            let index = queues.partitions[partition].filling!.recordCount
            queues.partitions[partition].fillingWaiters.append(
                DeliveryWaiter(index: index, timestamp: timestamp, continuation: waiter))
        }
        queues.partitions[partition].filling!.append(timestamp: timestamp, key: key, value: value, headers: headers)
        unfinished += 1
        if queues.partitions[partition].filling!.byteCount >= settings.batchSize {
            seal(queues, partition)
            pump(queues, partition)
        }
    }

    /// Moves the partition's filling batch to its waiting queue, numbered and checksummed.
    private func seal(_ queues: TopicQueues, _ partition: Int) {
        guard var builder = queues.partitions[partition].filling, !builder.isEmpty else { return }
        let waiters = queues.partitions[partition].fillingWaiters
        queues.partitions[partition].filling = nil
        queues.partitions[partition].fillingWaiters = []
        if queues.stickyPartition == Int32(partition) { queues.stickyPartition = nil }
        let count = builder.recordCount
        let sequence = identity == nil ? -1 : queues.partitions[partition].takeSequence(count: count)
        do {
            let bytes = try builder.seal(
                compression: settings.compression, producerId: identity?.producerId ?? -1,
                producerEpoch: identity?.epoch ?? -1, baseSequence: sequence)
            sealCount += 1
            queues.partitions[partition].waiting.append(
                OutgoingBatch(
                    bytes: bytes, recordCount: count, baseSequence: sequence, waiters: waiters, sealNumber: sealCount,
                    sealedAt: cluster.config.clock.now()))
            outstanding += 1
        } catch {
            report(KafkaClientError.configuration("\(error)"), to: waiters, unawaited: waiters.count < Int(count))
            unfinished -= Int(count)
            undelivered += Int(count)
        }
    }

    private func sealAll() {
        for queues in topics.values {
            for partition in queues.partitions.indices where queues.partitions[partition].filling != nil {
                seal(queues, partition)
                pump(queues, partition)
            }
        }
    }

    private func startLingerTimer() {
        guard lingerTask == nil else { return }
        let delay = Duration.milliseconds(settings.lingerMs)
        let clock = cluster.config.clock
        lingerTask = Task { [weak self] in
            try? await clock.sleep(delay)
            guard !Task.isCancelled else { return }
            await self?.lingerExpired()
        }
    }

    private func lingerExpired() {
        lingerTask = nil
        sealAll()
    }

    // MARK: Sending

    /// Sends the partition's waiting batches, in order, while its in-flight limit allows.
    /// Writes are issued here, synchronously and in order; responses come back through
    /// `completed`. Without a known leader connection, looks it up first.
    private func pump(_ queues: TopicQueues, _ partition: Int) {
        let target = TopicPartition(topic: queues.name, partition: Int32(partition))
        while queues.partitions[partition].canSend(maxInFlight: settings.maxInFlight) {
            if queues.partitions[partition].identityGeneration != identityGeneration, let identity {
                // The producer id changed: this partition's sequences start again, once nothing old is in flight.
                guard queues.partitions[partition].inFlight == 0 else { return }
                queues.partitions[partition].renumber(
                    producerId: identity.producerId, producerEpoch: identity.epoch,
                    generation: identityGeneration)
            }
            guard let connection = queues.partitions[partition].connection, connection.isActive else {
                queues.partitions[partition].paused = true
                Task { await self.connect(queues, partition) }
                return
            }
            var batch = queues.partitions[partition].waiting.removeFirst()
            guard let version = try? connection.version(for: ProduceRequest.self) else {
                report(.unsupportedApi(api: .produce, broker: connection.address.description), to: batch)
                finish(batch)
                continue
            }
            batch.attempts += 1
            queues.partitions[partition].inFlight += 1
            let pending = dispatch(batch, to: target, on: connection, version: version)
            Task {
                let outcome = await Self.outcome(of: pending, acks: settings.acks, target: target)
                self.completed(batch, outcome, queues, partition)
            }
        }
    }

    private func dispatch(
        _ batch: OutgoingBatch, to target: TopicPartition, on connection: BrokerConnection, version: Int16
    ) -> PendingResponse<ProduceResponse> {
        let request = ProduceRequest(
            acks: settings.acks, timeoutMs: Int32(settings.requestTimeoutMs),
            topicData: [
                ProduceRequest.TopicProduceData(
                    name: target.topic,
                    partitionData: [
                        ProduceRequest.TopicProduceData.PartitionProduceData(
                            index: target.partition, records: batch.bytes)
                    ])
            ])
        return connection.dispatch(request, version: version, expectsResponse: settings.acks != 0)
    }

    private func connect(_ queues: TopicQueues, _ partition: Int) async {
        do {
            let connection = try await cluster.leader(topic: queues.name, partition: Int32(partition))
            queues.partitions[partition].connection = connection
            queues.partitions[partition].paused = false
            pump(queues, partition)
        } catch {
            // No leader reachable: every waiting batch has failed an attempt.
            let error = error as? KafkaClientError ?? .connectionClosed(broker: "leader of \(queues.name)-\(partition)")
            var batches = queues.partitions[partition].waiting
            queues.partitions[partition].waiting = []
            for index in batches.indices {
                batches[index].attempts += 1
                batches[index].lastError = error
            }
            queues.partitions[partition].failed += batches
            queues.partitions[partition].paused = false
            // Batches still in flight fail on their own; the last of them starts the recovery.
            if queues.partitions[partition].inFlight == 0 { recover(queues, partition) }
        }
    }

    /// What a produce attempt came to.
    enum Outcome {
        case written(baseOffset: Int64)
        case retriable(KafkaClientError)
        /// The broker lost this producer's state or saw a gap in its sequence numbers.
        case sequenceLost(KafkaClientError)
        case failed(KafkaClientError)
    }

    private static func outcome(
        of pending: PendingResponse<ProduceResponse>, acks: Int16, target: TopicPartition
    ) async -> Outcome {
        do {
            if acks == 0 {
                try await pending.written()
                return .written(baseOffset: -1)
            }
            let response = try await pending.response()
            guard
                let answer = response.responses.first(where: { $0.name == target.topic })?
                    .partitionResponses.first(where: { $0.index == target.partition })
            else {
                return .failed(.unknownTopicOrPartition("\(target)"))
            }
            let code = ErrorCode(code: answer.errorCode)
            let error = KafkaClientError.broker(
                code, context: "produce to \(target)" + (answer.errorMessage.map { " (\($0))" } ?? ""))
            switch code {
            case .none: return .written(baseOffset: answer.baseOffset)
            case .duplicateSequenceNumber: return .written(baseOffset: -1) // written by an earlier attempt
            case .outOfOrderSequenceNumber, .unknownProducerId: return .sequenceLost(error)
            default: return code.isRetriable ? .retriable(error) : .failed(error)
            }
        } catch let error as KafkaClientError {
            return error.isRetriable ? .retriable(error) : .failed(error)
        } catch {
            return .failed(.connectionClosed(broker: "leader of \(target)"))
        }
    }

    private func completed(_ batch: OutgoingBatch, _ outcome: Outcome, _ queues: TopicQueues, _ partition: Int) {
        queues.partitions[partition].inFlight -= 1
        switch outcome {
        case let .written(baseOffset):
            for waiter in batch.waiters {
                waiter.continuation.resume(
                    returning: RecordMetadata(
                        topic: queues.name, partition: Int32(partition),
                        offset: baseOffset < 0 ? -1 : baseOffset + Int64(waiter.index), timestamp: waiter.timestamp))
            }
            finish(batch)
        case let .failed(error):
            report(error, to: batch)
            undelivered += Int(batch.recordCount)
            finish(batch)
        case let .retriable(error), let .sequenceLost(error):
            var failed = batch
            failed.lastError = error
            if case .sequenceLost = outcome { failed.sequenceRefused = true }
            queues.partitions[partition].failed.append(failed)
            queues.partitions[partition].connection = nil
        }
        if queues.partitions[partition].inFlight == 0, !queues.partitions[partition].failed.isEmpty {
            recover(queues, partition)
        } else {
            pump(queues, partition)
        }
    }

    /// Puts the failed batches back in front, in their original order, after a backoff;
    /// gives up on those out of retries or past the delivery timeout. If the first of
    /// them was refused for its sequence number, the broker lost this producer's state:
    /// a new producer id is taken and the partition's batches renumbered.
    private func recover(_ queues: TopicQueues, _ partition: Int) {
        var failed = queues.partitions[partition].failed.sorted { $0.sealNumber < $1.sealNumber }
        queues.partitions[partition].failed = []
        let lostSequence = failed.first?.sequenceRefused ?? false
        for index in failed.indices { failed[index].sequenceRefused = false }
        let deadline = Duration.milliseconds(settings.deliveryTimeoutMs)
        var retrying: [OutgoingBatch] = []
        for batch in failed {
            if batch.attempts > settings.retries || cluster.config.clock.now() - batch.sealedAt > deadline {
                log(
                    .producer,
                    "\(queues.name)-\(partition): giving up a batch of \(batch.recordCount) after \(batch.attempts) attempts: \(batch.lastError.map { "\($0)" } ?? "")"
                )
                report(batch.lastError ?? .closed, to: batch)
                undelivered += Int(batch.recordCount)
                finish(batch)
            } else {
                log(
                    .producer,
                    "\(queues.name)-\(partition): retrying a batch of \(batch.recordCount) (attempt \(batch.attempts) failed: \(batch.lastError.map { "\($0)" } ?? ""))"
                )
                retrying.append(batch)
            }
        }
        if lostSequence {
            log(
                .producer,
                "\(queues.name)-\(partition): the broker lost this producer's sequence; taking a new producer id")
        }
        queues.partitions[partition].waiting = retrying + queues.partitions[partition].waiting
        guard !queues.partitions[partition].waiting.isEmpty else { return }
        queues.partitions[partition].paused = true
        let attempt = retrying.map(\.attempts).max() ?? 1
        Task {
            await cluster.invalidate(topic: queues.name)
            try? await cluster.config.clock.sleep(.nanoseconds(settings.backoffNanoseconds(attempt: attempt)))
            if lostSequence, settings.idempotent { try? await self.renewIdentity() }
            self.resume(queues, partition)
        }
    }

    private func resume(_ queues: TopicQueues, _ partition: Int) {
        queues.partitions[partition].paused = false
        pump(queues, partition)
    }

    /// Asks the cluster for a (new) producer id; one request at a time however many ask.
    private func renewIdentity() async throws {
        if let running = identityRenewal { return try await running.value }
        let cluster = self.cluster
        let task = Task {
            let connection = try await cluster.anyConnection()
            let response = try await connection.send(
                InitProducerIdRequest(transactionalId: nil, transactionTimeoutMs: -1))
            let code = ErrorCode(code: response.errorCode)
            guard code == .none else { throw KafkaClientError.broker(code, context: "InitProducerId") }
            self.adopt(producerId: response.producerId, epoch: response.producerEpoch)
        }
        identityRenewal = task
        defer { identityRenewal = nil }
        try await task.value
    }

    private func adopt(producerId: Int64, epoch: Int16) {
        identity = (producerId, epoch)
        identityGeneration += 1
    }

    // MARK: Results

    /// Fails a batch's records: each waiter gets the error, and the next `flush` throws
    /// it for the records nobody waits for.
    private func report(_ error: KafkaClientError, to batch: OutgoingBatch) {
        report(error, to: batch.waiters, unawaited: batch.hasUnawaitedRecords)
    }

    private func report(_ error: KafkaClientError, to waiters: [DeliveryWaiter], unawaited: Bool) {
        for waiter in waiters { waiter.continuation.resume(throwing: error) }
        if unawaited, firstUnawaitedError == nil { firstUnawaitedError = error }
    }

    /// One batch is done (written or given up); wakes `flush` when none are left.
    private func finish(_ batch: OutgoingBatch) {
        unfinished -= Int(batch.recordCount)
        outstanding -= 1
        if outstanding == 0 {
            let waiters = flushWaiters
            flushWaiters = []
            for waiter in waiters { waiter.continuation.resume() }
        }
    }

    /// Stops waiting for one `flush(within:)` whose time is up.
    private func giveUpWaiting(_ id: Int) {
        guard let index = flushWaiters.firstIndex(where: { $0.id == id }) else { return }
        flushWaiters.remove(at: index).continuation.resume()
    }

    private static func now() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}

extension Optional where Wrapped == [UInt8] {
    /// Runs `body` with the bytes, or with nil for a null array.
    func withOptionalBytes<Result>(_ body: (UnsafeRawBufferPointer?) throws -> Result) rethrows -> Result {
        guard let self else { return try body(nil) }
        return try self.withUnsafeBytes { try body($0) }
    }
}
