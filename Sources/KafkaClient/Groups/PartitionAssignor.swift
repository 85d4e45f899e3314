import KafkaProtocol

/// A group member's subscription as the leader sees it in JoinGroup.
public struct GroupMemberSubscription: Sendable, Equatable {
    public var memberId: String
    public var topics: [String]

    public init(memberId: String, topics: [String]) {
        self.memberId = memberId
        self.topics = topics
    }
}

/// A client-side partition assignment strategy of the classic consumer protocol.
///
/// The group leader runs the strategy the coordinator chose among those every
/// member offered, so Weir's strategies must give exactly the assignment the
/// Java client and librdkafka give for the same input: members are ordered by
/// member id, partitions by topic name and number.
public enum PartitionAssignor: String, Sendable, CaseIterable {
    /// Per topic, consecutive ranges of partitions; the first members get one extra.
    case range
    /// All partitions of all topics dealt to the members in turn.
    case roundRobin = "roundrobin"

    /// The name in JoinGroup's protocol list, shared by every client library.
    public var protocolName: String { rawValue }

    /// Parses `partition.assignment.strategy`: librdkafka's names (`range,roundrobin`)
    /// or the Java client's class names (`org.apache.kafka.clients.consumer.RangeAssignor`).
    public static func parseList(_ text: String) throws(KafkaClientError) -> [PartitionAssignor] {
        var assignors: [PartitionAssignor] = []
        for entry in text.split(separator: ",") {
            let name = entry.trimmingCharacters(in: .whitespaces)
            switch name.split(separator: ".").last.map({ $0.lowercased() }) {
            case "range", "rangeassignor": assignors.append(.range)
            case "roundrobin", "roundrobinassignor": assignors.append(.roundRobin)
            default:
                throw .configuration("partition.assignment.strategy: '\(name)' is not supported (range, roundrobin)")
            }
        }
        guard !assignors.isEmpty else { throw .configuration("partition.assignment.strategy is empty") }
        return assignors
    }

    /// Assigns the partitions of the subscribed topics to the members.
    ///
    /// - Parameters:
    ///   - members: every member with its subscription (any order).
    ///   - partitionCounts: the partition count of each subscribed topic; a topic
    ///     missing here (not yet created) is assigned to nobody.
    /// - Returns: every member's partitions, sorted; members given nothing map to `[]`.
    public func assign(members: [GroupMemberSubscription], partitionCounts: [String: Int]) -> [String: [TopicPartition]]
    {
        var result = Dictionary(uniqueKeysWithValues: members.map { ($0.memberId, [TopicPartition]()) })
        let ordered = members.sorted { $0.memberId < $1.memberId }
        switch self {
        case .range:
            let topics = Set(members.flatMap(\.topics)).sorted()
            for topic in topics {
                guard let count = partitionCounts[topic], count > 0 else { continue }
                let subscribers = ordered.filter { $0.topics.contains(topic) }
                let perMember = count / subscribers.count
                let withExtra = count % subscribers.count
                for (position, member) in subscribers.enumerated() {
                    let start = perMember * position + min(position, withExtra)
                    let length = perMember + (position < withExtra ? 1 : 0)
                    result[member.memberId]! += (start..<start + length).map {
                        TopicPartition(topic: topic, partition: Int32($0))
                    }
                }
            }
        case .roundRobin:
            let all = Set(members.flatMap(\.topics)).sorted().flatMap { topic in
                (0..<(partitionCounts[topic] ?? 0)).map { TopicPartition(topic: topic, partition: Int32($0)) }
            }
            var turn = 0
            for partition in all {
                // The next member in the circle that subscribes to this partition's topic.
                for _ in 0..<ordered.count {
                    let member = ordered[turn % ordered.count]
                    turn += 1
                    if member.topics.contains(partition.topic) {
                        result[member.memberId]!.append(partition)
                        break
                    }
                }
            }
        }
        return result.mapValues { $0.sorted() }
    }
}

extension TopicPartitions {
    /// Groups partitions by topic, sorted, as the consumer protocol lists them.
    static func grouping(_ partitions: [TopicPartition]) -> [TopicPartitions] {
        Dictionary(grouping: partitions, by: \.topic).sorted { $0.key < $1.key }.map {
            TopicPartitions(topic: $0.key, partitions: $0.value.map(\.partition).sorted())
        }
    }

    /// The partitions one entry lists.
    var expanded: [TopicPartition] { partitions.map { TopicPartition(topic: topic, partition: $0) } }
}
