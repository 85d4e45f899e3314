import Foundation
import KafkaProtocol

/// A record as a consumer hands it out.
public struct ConsumerRecord: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var timestamp: Int64
    public var key: ArraySlice<UInt8>?
    public var value: ArraySlice<UInt8>?
    public var headers: [RecordHeader]
}

/// What one poll fetched from one partition, as the batches the broker sent: a reader that
/// walks `batches` (`forEachRecord`) makes no `ConsumerRecord` per record — a topic name,
/// key, value and headers to count references to, record after record. Batches the
/// consumer does not hand out (transaction markers, aborted transactions) are not in it.
public struct FetchedRecords: Sendable {
    public let topic: String
    public let partition: Int32
    /// The batches, in offset order. Records before `from` (the consumer's position when it
    /// fetched: a batch may start before it) are not the poll's.
    public let batches: [RecordBatchView]
    public let from: Int64

    /// Each of the poll's records of this partition, in offset order, as a view of its
    /// batch's bytes valid during the call.
    @inlinable
    public func forEachRecord<Failure: Error>(_ body: (RecordView) throws(Failure) -> Void) throws(Failure) {
        for batch in batches { try batch.forEachRecord(from: from, body) }
    }

    /// The records as `ConsumerRecord`s.
    public var consumerRecords: [ConsumerRecord] {
        var records: [ConsumerRecord] = []
        for batch in batches {
            for record in batch.records where record.offset >= from {
                records.append(
                    ConsumerRecord(
                        topic: topic, partition: partition, offset: record.offset, timestamp: record.timestamp,
                        key: record.key, value: record.value, headers: record.headers))
            }
        }
        return records
    }
}

/// Reads partitions from their leaders: ones it was told to read (`assign`),
/// or the share a consumer group gives it (`subscribe`).
///
/// Properties: `fetch.max.wait.ms` (default 500), `fetch.min.bytes` (1),
/// `fetch.max.bytes` (52428800), `max.partition.fetch.bytes` (1048576),
/// `auto.offset.reset` (earliest, latest — the default — or none),
/// `isolation.level` (read_uncommitted — the default — or read_committed);
/// for groups `group.id`, `enable.auto.commit` (true), `auto.commit.interval.ms`
/// (5000), `group.protocol` (`classic`, the default: JoinGroup/SyncGroup, the members
/// assigning; or `consumer`: KIP-848, the broker assigning, `ServerAssignedMember`) and
/// those of `GroupSettings`.
///
/// One `poll` sends one Fetch to each leader at once and returns what came back; as it
/// returns, it sends the next ones, so they are on their way while the caller works on the
/// records (at most one fetch per leader ahead, so at most `fetch.max.bytes` per leader are
/// held; a seek, a new assignment or `close` drops what it brought). With a group, `poll` also joins, rejoins after a rebalance (committing first
/// when auto-commit is on) and commits every `auto.commit.interval.ms`; a
/// commit stores the position, so the records a poll returned count as
/// consumed at the next poll (at least once).
public actor KafkaConsumer {
    public let cluster: KafkaCluster
    private let admin: KafkaAdmin
    private let maxWaitMs: Int32
    private let minBytes: Int32
    private let maxBytes: Int32
    private let partitionMaxBytes: Int32
    private let resetPolicy: OffsetSpec?
    private let isolationLevel: Int8
    private let autoCommit: Bool
    private let autoCommitInterval: Duration
    private var positions: [TopicPartition: Int64] = [:]
    /// Each partition's high watermark as of its latest fetch response.
    private var highWatermarks: [TopicPartition: Int64] = [:]
    private var group: (any GroupMembershipDriver)?
    /// The fetches sent ahead by the last poll: the positions they asked from, and their answers.
    private var prefetch: (positions: [TopicPartition: Int64], responses: Task<[FetchResponse], any Error>)?
    private let clock: ClientClock
    private var lastAutoCommit: Duration
    /// Positions as last committed, so an unchanged position is not committed again.
    private var committedPositions: [TopicPartition: Int64] = [:]
    /// Partitions the group assigned whose starting offsets are still to be looked up
    /// (kept until the lookup succeeds, so a failed one is retried by the next poll).
    private var unpositioned: [TopicPartition] = []
    /// Since when fetching has failed without a success, and how many times in a row.
    private var failingSince: Duration?
    private var failedPolls = 0
    /// Why polls are failing now (nil while they work): a reader can say the broker is away
    /// while the consumer retries, and that it is back.
    public private(set) var outage: String?
    private let reconnectBackoffMs: Int
    private let reconnectBackoffMaxMs: Int
    private let givingUpAfter: Duration
    private let log: DebugLog

    public init(cluster: KafkaCluster) throws {
        self.cluster = cluster
        admin = KafkaAdmin(cluster: cluster)
        let config = cluster.config
        clock = config.clock
        lastAutoCommit = clock.now()
        maxWaitMs = Int32(try config.integer("fetch.max.wait.ms", default: 500))
        minBytes = Int32(try config.integer("fetch.min.bytes", default: 1))
        maxBytes = Int32(try config.integer("fetch.max.bytes", default: 52_428_800))
        partitionMaxBytes = Int32(try config.integer("max.partition.fetch.bytes", default: 1_048_576))
        switch config["auto.offset.reset"] ?? "latest" {
        case "earliest", "smallest", "beginning": resetPolicy = .earliest
        case "latest", "largest", "end": resetPolicy = .latest
        case "none", "error": resetPolicy = nil
        case let other:
            throw KafkaClientError.configuration("auto.offset.reset must be earliest, latest or none, not '\(other)'")
        }
        switch config["isolation.level"] ?? "read_uncommitted" {
        case "read_uncommitted": isolationLevel = 0
        case "read_committed": isolationLevel = 1
        case let other:
            throw KafkaClientError.configuration(
                "isolation.level must be read_uncommitted or read_committed, not '\(other)'")
        }
        switch config["enable.auto.commit"] ?? "true" {
        case "true": autoCommit = true
        case "false": autoCommit = false
        case let other: throw KafkaClientError.configuration("enable.auto.commit must be true or false, not '\(other)'")
        }
        autoCommitInterval = .milliseconds(try config.integer("auto.commit.interval.ms", default: 5_000))
        reconnectBackoffMs = try config.integer("reconnect.backoff.ms", default: 100)
        reconnectBackoffMaxMs = max(try config.integer("reconnect.backoff.max.ms", default: 10_000), reconnectBackoffMs)
        givingUpAfter = .milliseconds(try config.requestTimeoutMs())
        log = DebugLog(config: config)
    }

    // MARK: Choosing partitions

    /// Starts reading `partitions` of `topic` (all of them when nil) from `start`.
    public func assign(topic: String, partitions: [Int32]? = nil, from start: OffsetSpec) async throws {
        let metadata = try await cluster.topic(topic)
        let chosen = partitions ?? metadata.partitions.map(\.partition)
        for partition in chosen {
            guard metadata.partitions.contains(where: { $0.partition == partition }) else {
                throw KafkaClientError.unknownTopicOrPartition("\(topic)-\(partition)")
            }
            try await seek(topic: topic, partition: partition, to: start)
        }
    }

    /// Joins the consumer group named by `group.id` and reads the partitions of
    /// `topics` it is given, from the group's committed offsets (else by
    /// `auto.offset.reset`). The group is joined by the first `poll`.
    public func subscribe(topics: [String]) throws {
        guard group == nil else { throw KafkaClientError.configuration("this consumer already subscribed") }
        guard positions.isEmpty else {
            throw KafkaClientError.configuration("a consumer reads assigned partitions or subscribes, not both")
        }
        let settings = try GroupSettings(config: cluster.config)
        switch cluster.config["group.protocol"] ?? "classic" {
        case "classic": group = GroupMember(cluster: cluster, settings: settings, topics: topics)
        case "consumer":
            group = ServerAssignedMember(
                cluster: cluster, settings: settings, topics: topics, assignor: cluster.config["group.remote.assignor"])
        case let other:
            throw KafkaClientError.configuration("group.protocol must be classic or consumer, not '\(other)'")
        }
    }

    /// Moves one partition's position. A timestamp after the partition's last record
    /// moves it to the end, where the next record to arrive will be read.
    public func seek(topic: String, partition: Int32, to spec: OffsetSpec) async throws {
        var offset = try await admin.listOffset(topic: topic, partition: partition, spec: spec)
        if offset < 0, case .timestamp = spec {
            offset = try await admin.listOffset(topic: topic, partition: partition, spec: .latest)
        }
        positions[TopicPartition(topic: topic, partition: partition)] = offset
        dropPrefetch()
    }

    /// The partitions this consumer reads now.
    public var assignment: [TopicPartition] { positions.keys.sorted() }

    /// The next offset to read in a partition, if it is assigned.
    public func position(topic: String, partition: Int32) -> Int64? {
        positions[TopicPartition(topic: topic, partition: partition)]
    }

    /// The partition's high watermark as the latest fetch response gave it; nil before the first fetch.
    public func highWatermark(topic: String, partition: Int32) -> Int64? {
        highWatermarks[TopicPartition(topic: topic, partition: partition)]
    }

    /// Whether every assigned partition has been fetched and read up to its high watermark
    /// (what `kcat -e` waits for). A group consumer is not at the end before it has joined.
    public var isAtEnd: Bool {
        get async {
            if let group, await !group.isStable { return false }
            guard unpositioned.isEmpty else { return false }
            return positions.allSatisfy { target, position in highWatermarks[target].map { position >= $0 } ?? false }
        }
    }

    /// Stops reading a topic's partitions.
    public func unassign(topic: String) {
        positions = positions.filter { $0.key.topic != topic }
        highWatermarks = highWatermarks.filter { $0.key.topic != topic }
    }

    // MARK: Offsets of a group

    /// Commits the current positions (or `offsets`) as the group's consumed offsets.
    /// Works for a subscribed member and, with `group.id` set, for an assigning consumer.
    public func commit(_ offsets: [TopicPartition: Int64]? = nil) async throws {
        let chosen = offsets ?? positions
        if let group {
            try await group.commit(chosen)
        } else {
            guard let groupId = cluster.config["group.id"] else {
                throw KafkaClientError.configuration("committing needs group.id")
            }
            try await admin.commitGroupOffsets(groupId, offsets: chosen)
        }
        committedPositions.merge(chosen) { $1 }
    }

    /// Leaves the group (committing first with auto-commit on) and stops reading.
    /// The cluster stays open: it is the caller's.
    public func close() async {
        if let group {
            if autoCommit, await group.isStable { try? await commitChanged() }
            await group.leave()
            self.group = nil
        }
        dropPrefetch()
        positions = [:]
        highWatermarks = [:]
        unpositioned = []
    }

    // MARK: Reading

    /// Fetches once from every leader of an assigned partition and returns the records, in
    /// offset order within each partition. Waits at most about `fetch.max.wait.ms` when
    /// there is nothing new (also when the group gave this consumer no partitions).
    ///
    /// A broker that goes away is reconnected to, with a backoff from `reconnect.backoff.ms`
    /// doubling up to `reconnect.backoff.max.ms`, and polls return nothing meanwhile; once
    /// fetching has failed for `request.timeout.ms` without a success, the error is thrown.
    public func poll() async throws -> [ConsumerRecord] {
        try await pollBatches().flatMap(\.consumerRecords)
    }

    /// `poll`, with each partition's records as the batches they came in (see `FetchedRecords`).
    public func pollBatches() async throws -> [FetchedRecords] {
        do {
            if group != nil { try await maintainGroup() }
            guard !positions.isEmpty else {
                failingSince = nil
                if group != nil { try await clock.sleep(milliseconds: Int(maxWaitMs)) }
                return []
            }
            let records = try await fetchOnce()
            failingSince = nil
            failedPolls = 0
            outage = nil
            return records
        } catch let error as KafkaClientError where error.isRetriable {
            let started = failingSince ?? clock.now()
            failingSince = started
            guard clock.now() - started < givingUpAfter else { throw error }
            failedPolls += 1
            if outage == nil { outage = "\(error)" }
            log(.consumer, "fetch failed (\(failedPolls) in a row): \(error); retrying")
            for topic in Set(positions.keys.map(\.topic)) { await cluster.invalidate(topic: topic) }
            let backoff = min(reconnectBackoffMs << min(failedPolls - 1, 16), reconnectBackoffMaxMs)
            try await clock.sleep(milliseconds: backoff)
            return []
        }
    }

    /// The answers to one Fetch per leader of an assigned partition — those sent ahead by the
    /// last poll when they asked for the partitions assigned now, else new ones — and the next
    /// fetches sent before returning.
    private func fetchOnce() async throws -> [FetchedRecords] {
        let (asked, pending): ([TopicPartition: Int64], Task<[FetchResponse], any Error>)
        if let prefetch, Set(prefetch.positions.keys) == Set(positions.keys) {
            (asked, pending) = prefetch
        } else {
            dropPrefetch()
            (asked, pending) = (positions, try await sendFetches(from: positions))
        }
        prefetch = nil
        let responses = try await pending.value
        var records: [FetchedRecords] = []
        for response in responses {
            let code = ErrorCode(code: response.errorCode)
            guard code == .none else { throw KafkaClientError.broker(code, context: "fetch") }
            for topic in response.responses {
                for partition in topic.partitions {
                    let target = TopicPartition(topic: topic.topic, partition: partition.partitionIndex)
                    // A partition moved (seek) since the fetch was sent: what it brought is not next.
                    guard let from = asked[target], positions[target] == from else { continue }
                    try await absorb(partition, topic: topic.topic, into: &records)
                }
            }
        }
        // What the fetches ask from is taken now: a seek while they are being sent (this actor
        // is reentrant at each await) must not pass for what they asked.
        let asking = positions
        if !asking.isEmpty, let next = try? await sendFetches(from: asking) {
            prefetch = (asking, next)
        }
        return records
    }

    /// Sends one Fetch to each leader of the partitions in `positions`, in parallel.
    private func sendFetches(from positions: [TopicPartition: Int64]) async throws -> Task<[FetchResponse], any Error> {
        var byLeader: [Int32: [TopicPartition]] = [:]
        for target in positions.keys {
            let leader = try await cluster.leaderId(topic: target.topic, partition: target.partition)
            byLeader[leader, default: []].append(target)
        }
        let requests = byLeader.map { leader, targets in (leader, fetchRequest(for: targets, positions: positions)) }
        let cluster = self.cluster
        return Task {
            try await withThrowingTaskGroup(of: FetchResponse.self) { tasks in
                for (leader, request) in requests {
                    tasks.addTask { try await cluster.connection(toNode: leader).send(request) }
                }
                var all: [FetchResponse] = []
                for try await response in tasks { all.append(response) }
                return all
            }
        }
    }

    /// Forgets the fetches sent ahead (their answers, when they come, are not read).
    private func dropPrefetch() {
        prefetch?.responses.cancel()
        prefetch = nil
    }

    /// Joins or rejoins the group when needed, takes up a new assignment, and auto-commits when due.
    private func maintainGroup() async throws {
        guard let group else { return }
        let revoking = autoCommit ? positions.filter { committedPositions[$0.key] != $0.value } : nil
        if let assigned = try await group.ensureActive(commitOnRevoke: revoking) {
            positions = [:]
            highWatermarks = [:]
            committedPositions = [:]
            unpositioned = assigned
            lastAutoCommit = clock.now()
        }
        if !unpositioned.isEmpty {
            // Start where the group committed; elsewhere by auto.offset.reset. Nothing is
            // taken up until every lookup has worked.
            let committed = try await group.committedOffsets(for: unpositioned)
            let uncommitted = unpositioned.filter { committed[$0] == nil }
            guard uncommitted.isEmpty || resetPolicy != nil else {
                throw KafkaClientError.broker(
                    .offsetOutOfRange,
                    context: "\(uncommitted[0]): the group has no committed offset and auto.offset.reset is none")
            }
            var reset: [TopicPartition: Int64] = [:]
            if let resetPolicy, !uncommitted.isEmpty {
                reset = try await admin.listOffsets(uncommitted, spec: resetPolicy)
            }
            positions.merge(committed) { $1 }
            positions.merge(reset) { $1 }
            committedPositions = committed
            unpositioned = []
        } else if autoCommit, clock.now() - lastAutoCommit >= autoCommitInterval {
            lastAutoCommit = clock.now()
            do {
                try await commitChanged()
            } catch {
                // The next interval commits again; the records are not lost, at worst read twice.
                log(.consumer, "auto-commit failed: \(error)")
            }
        }
    }

    /// Commits the positions that moved since the last commit.
    private func commitChanged() async throws {
        let changed = positions.filter { committedPositions[$0.key] != $0.value }
        guard !changed.isEmpty else { return }
        try await commit(changed)
    }

    private func fetchRequest(for targets: [TopicPartition], positions: [TopicPartition: Int64]) -> FetchRequest {
        let byTopic = Dictionary(grouping: targets, by: \.topic)
        return FetchRequest(
            replicaId: -1, maxWaitMs: maxWaitMs, minBytes: minBytes, maxBytes: maxBytes,
            isolationLevel: isolationLevel, sessionId: 0, sessionEpoch: -1,
            topics: byTopic.keys.sorted().map { topic in
                FetchRequest.FetchTopic(
                    topic: topic,
                    partitions: byTopic[topic]!.sorted().map {
                        FetchRequest.FetchTopic.FetchPartition(
                            partition: $0.partition, fetchOffset: positions[$0] ?? 0,
                            partitionMaxBytes: partitionMaxBytes)
                    })
            }
        )
    }

    /// Takes one partition's part of a fetch response: its records, or what its error calls for.
    private func absorb(
        _ data: FetchResponse.FetchableTopicResponse.PartitionData, topic: String,
        into records: inout [FetchedRecords]
    ) async throws {
        let target = TopicPartition(topic: topic, partition: data.partitionIndex)
        guard let position = positions[target] else { return } // unassigned meanwhile
        switch ErrorCode(code: data.errorCode) {
        case .none:
            break
        case .offsetOutOfRange:
            guard let resetPolicy else {
                throw KafkaClientError.broker(.offsetOutOfRange, context: "\(target) at offset \(position)")
            }
            try await seek(topic: topic, partition: data.partitionIndex, to: resetPolicy)
            return
        case .notLeaderOrFollower, .unknownTopicOrPartition, .leaderNotAvailable, .fencedLeaderEpoch,
            .unknownLeaderEpoch:
            await cluster.invalidate(topic: topic)
            return
        case let code:
            throw KafkaClientError.broker(code, context: "fetch \(target)")
        }
        highWatermarks[target] = data.highWatermark
        guard let bytes = data.records, !bytes.isEmpty else { return }
        let batches: [RecordBatchView]
        do {
            batches = try RecordSet.decodeViews(bytes)
        } catch {
            throw KafkaClientError.protocolViolation(error, broker: "leader of \(target)")
        }
        var filter =
            isolationLevel == 1
            ? AbortedTransactionFilter((data.abortedTransactions ?? []).map { ($0.producerId, $0.firstOffset) })
            : nil
        var next = position
        var admitted: [RecordBatchView] = []
        for batch in batches {
            defer { next = max(next, batch.nextOffset) }
            // Control batches (transaction markers) are never handed out.
            guard filter?.admits(batch) ?? !batch.isControl else { continue }
            if batch.nextOffset > position { admitted.append(batch) }
        }
        if !admitted.isEmpty {
            records.append(
                FetchedRecords(topic: topic, partition: data.partitionIndex, batches: admitted, from: position))
        }
        positions[target] = next
    }
}
