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

/// Reads assigned partitions from their leaders.
///
/// Properties: `fetch.max.wait.ms` (default 500), `fetch.min.bytes` (1),
/// `fetch.max.bytes` (52428800), `max.partition.fetch.bytes` (1048576),
/// `auto.offset.reset` (earliest, latest — the default — or none),
/// `isolation.level` (read_uncommitted — the default — or read_committed).
/// One `poll` sends one Fetch to each leader at once and returns what came back.
public actor KafkaConsumer {
    public let cluster: KafkaCluster
    private let admin: KafkaAdmin
    private let maxWaitMs: Int32
    private let minBytes: Int32
    private let maxBytes: Int32
    private let partitionMaxBytes: Int32
    private let resetPolicy: OffsetSpec?
    private let isolationLevel: Int8
    private var positions: [TopicPartition: Int64] = [:]
    /// Each partition's high watermark as of its latest fetch response.
    private var highWatermarks: [TopicPartition: Int64] = [:]

    public init(cluster: KafkaCluster) throws {
        self.cluster = cluster
        admin = KafkaAdmin(cluster: cluster)
        let config = cluster.config
        maxWaitMs = Int32(try config.integer("fetch.max.wait.ms", default: 500))
        minBytes = Int32(try config.integer("fetch.min.bytes", default: 1))
        maxBytes = Int32(try config.integer("fetch.max.bytes", default: 52_428_800))
        partitionMaxBytes = Int32(try config.integer("max.partition.fetch.bytes", default: 1_048_576))
        switch config["auto.offset.reset"] ?? "latest" {
        case "earliest", "smallest", "beginning": resetPolicy = .earliest
        case "latest", "largest", "end": resetPolicy = .latest
        case "none", "error": resetPolicy = nil
        case let other: throw KafkaClientError.configuration("auto.offset.reset must be earliest, latest or none, not '\(other)'")
        }
        switch config["isolation.level"] ?? "read_uncommitted" {
        case "read_uncommitted": isolationLevel = 0
        case "read_committed": isolationLevel = 1
        case let other: throw KafkaClientError.configuration("isolation.level must be read_uncommitted or read_committed, not '\(other)'")
        }
    }

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

    /// Moves one partition's position.
    public func seek(topic: String, partition: Int32, to spec: OffsetSpec) async throws {
        let offset = try await admin.listOffset(topic: topic, partition: partition, spec: spec)
        positions[TopicPartition(topic: topic, partition: partition)] = offset
    }

    /// The next offset to read in a partition, if it is assigned.
    public func position(topic: String, partition: Int32) -> Int64? {
        positions[TopicPartition(topic: topic, partition: partition)]
    }

    /// The partition's high watermark as the latest fetch response gave it; nil before the first fetch.
    public func highWatermark(topic: String, partition: Int32) -> Int64? {
        highWatermarks[TopicPartition(topic: topic, partition: partition)]
    }

    /// Whether every assigned partition has been fetched and read up to its high watermark
    /// (what `kcat -e` waits for).
    public var isAtEnd: Bool {
        positions.allSatisfy { target, position in highWatermarks[target].map { position >= $0 } ?? false }
    }

    /// Stops reading a topic's partitions.
    public func unassign(topic: String) {
        positions = positions.filter { $0.key.topic != topic }
        highWatermarks = highWatermarks.filter { $0.key.topic != topic }
    }

    /// Fetches once from every leader of an assigned partition and returns the records, in
    /// offset order within each partition. Waits at most about `fetch.max.wait.ms` when
    /// there is nothing new.
    public func poll() async throws -> [ConsumerRecord] {
        guard !positions.isEmpty else { return [] }
        var byLeader: [Int32: [TopicPartition]] = [:]
        for target in positions.keys {
            let leader = try await cluster.leaderId(topic: target.topic, partition: target.partition)
            byLeader[leader, default: []].append(target)
        }
        let snapshot = positions
        let responses = try await withThrowingTaskGroup(of: (Int32, FetchResponse).self) { group in
            for (leader, targets) in byLeader {
                let request = fetchRequest(for: targets, positions: snapshot)
                group.addTask {
                    let connection = try await self.cluster.connection(toNode: leader)
                    return (leader, try await connection.send(request))
                }
            }
            var all: [(Int32, FetchResponse)] = []
            for try await response in group { all.append(response) }
            return all
        }
        var records: [ConsumerRecord] = []
        for (_, response) in responses {
            let code = ErrorCode(code: response.errorCode)
            guard code == .none else { throw KafkaClientError.broker(code, context: "fetch") }
            for topic in response.responses {
                for partition in topic.partitions {
                    try await absorb(partition, topic: topic.topic, into: &records)
                }
            }
        }
        return records
    }

    private func fetchRequest(for targets: [TopicPartition], positions: [TopicPartition: Int64]) -> FetchRequest {
        let byTopic = Dictionary(grouping: targets, by: \.topic)
        return FetchRequest(
            replicaId: -1, maxWaitMs: maxWaitMs, minBytes: minBytes, maxBytes: maxBytes,
            isolationLevel: isolationLevel, sessionId: 0, sessionEpoch: -1,
            topics: byTopic.keys.sorted().map { topic in
                FetchRequest.FetchTopic(topic: topic, partitions: byTopic[topic]!.sorted { $0.partition < $1.partition }.map {
                    FetchRequest.FetchTopic.FetchPartition(partition: $0.partition, fetchOffset: positions[$0] ?? 0,
                                                            partitionMaxBytes: partitionMaxBytes)
                })
            }
        )
    }

    /// Takes one partition's part of a fetch response: its records, or what its error calls for.
    private func absorb(_ data: FetchResponse.FetchableTopicResponse.PartitionData, topic: String,
                        into records: inout [ConsumerRecord]) async throws {
        let target = TopicPartition(topic: topic, partition: data.partitionIndex)
        guard let position = positions[target] else { return } // unassigned meanwhile
        switch ErrorCode(code: data.errorCode) {
        case .none:
            break
        case .offsetOutOfRange:
            guard let resetPolicy else {
                throw KafkaClientError.broker(.offsetOutOfRange, context: "\(topic)-\(data.partitionIndex) at offset \(position)")
            }
            try await seek(topic: topic, partition: data.partitionIndex, to: resetPolicy)
            return
        case .notLeaderOrFollower, .unknownTopicOrPartition, .leaderNotAvailable, .fencedLeaderEpoch, .unknownLeaderEpoch:
            await cluster.invalidate(topic: topic)
            return
        case let code:
            throw KafkaClientError.broker(code, context: "fetch \(topic)-\(data.partitionIndex)")
        }
        highWatermarks[target] = data.highWatermark
        guard let bytes = data.records, !bytes.isEmpty else { return }
        let set: RecordSet
        do {
            set = try RecordSet.decode(bytes)
        } catch {
            throw KafkaClientError.protocolViolation(error, broker: "leader of \(topic)-\(data.partitionIndex)")
        }
        var next = position
        for batch in set.batches {
            defer { next = max(next, batch.nextOffset) }
            guard !batch.isControl else { continue }
            for record in batch.records where record.offset >= position {
                records.append(ConsumerRecord(topic: topic, partition: data.partitionIndex, offset: record.offset,
                                              timestamp: record.timestamp, key: record.key, value: record.value,
                                              headers: record.headers))
            }
        }
        positions[target] = next
    }
}
