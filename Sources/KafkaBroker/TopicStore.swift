import Foundation
import KafkaLog
import KafkaProtocol

/// A refusal the broker answers with a Kafka error code and a message.
struct BrokerError: Error, Sendable {
    var code: ErrorCode
    var message: String

    init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }
}

/// A topic config's value and where it comes from, as DescribeConfigs answers it.
struct DescribedConfig {
    enum Source: Int8 {
        // DescribeConfigs' ConfigSource numbers.
        case topic = 1, broker = 4, kafkaDefault = 5
    }
    var name: String
    var value: String
    var source: Source
    /// nil for a name Kafka does not define, kept by a topic from before names were checked.
    var definition: TopicConfigDefinition?
}

/// A topic as the broker defines it.
struct Topic: Sendable, Codable, Equatable {
    var name: String
    var idHigh: UInt64
    var idLow: UInt64
    var partitionCount: Int32
    /// Configs set on the topic (not the defaults).
    var configs: [String: String]
    var isInternal = false

    var id: KafkaUUID { KafkaUUID(high: idHigh, low: idLow) }
}

/// The broker's topics: their definitions in `DATA/weir-topics.json` (rewritten atomically
/// on every change) and their partition logs (`LogManager`). A folder found without a
/// definition is adopted, so data outlives a lost definitions file.
///
/// Thread safety: every method may be called from any thread.
final class TopicStore: @unchecked Sendable {
    let logs: LogManager
    private let path: String
    private let defaults: [String: String]
    private let lock = NSLock()
    private var topics: [String: Topic] = [:] {
        // Fetch v13+ names topics by id in every request: looked up here, not by a scan.
        didSet {
            namesById = Dictionary(topics.values.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        }
    }
    private var namesById: [KafkaUUID: String] = [:]

    init(dataDirectory: String, defaults: [String: String]) throws {
        path = dataDirectory + "/weir-topics.json"
        self.defaults = defaults
        if let data = FileManager.default.contents(atPath: path) {
            let saved = try JSONDecoder().decode([Topic].self, from: data)
            topics = Dictionary(uniqueKeysWithValues: saved.map { ($0.name, $0) })
        }
        var configs: [String: LogConfig] = [:]
        for topic in topics.values { configs[topic.name] = try LogConfig(defaults.merging(topic.configs) { $1 }) }
        logs = try LogManager(root: dataDirectory, configs: configs)
        for name in logs.topics where topics[name] == nil {
            topics[name] = Topic(
                name: name, idHigh: .random(in: 1...UInt64.max), idLow: .random(in: 0...UInt64.max),
                partitionCount: Int32(logs.partitions(of: name).count), configs: [:], isInternal: name.hasPrefix("__"))
        }
        for topic in topics.values {
            try logs.createPartitions(topic: topic.name, 0..<topic.partitionCount, config: try logConfig(topic))
        }
        try save()
    }

    private func locked<Result>(_ body: () throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    var all: [Topic] { locked { topics.values.sorted { $0.name < $1.name } } }

    func topic(_ name: String) -> Topic? { locked { topics[name] } }

    func topic(id: KafkaUUID) -> Topic? { locked { namesById[id].flatMap { topics[$0] } } }

    func log(_ name: String, _ partition: Int32) -> PartitionLog? { logs.log(topic: name, partition: partition) }

    /// A topic's configs, each with where its value comes from: the topic's own setting, the
    /// broker's (`--config log.retention.ms=…`), or Kafka's default — every config Kafka
    /// defines, and any name a topic kept from before names were checked.
    func describedConfigs(_ topic: Topic) -> [DescribedConfig] {
        var described = TopicConfigCatalog.definitions.map { definition in
            if let own = topic.configs[definition.name] {
                return DescribedConfig(name: definition.name, value: own, source: .topic, definition: definition)
            }
            if let broker = defaults[definition.name] {
                return DescribedConfig(name: definition.name, value: broker, source: .broker, definition: definition)
            }
            return DescribedConfig(
                name: definition.name, value: definition.kafkaDefault, source: .kafkaDefault, definition: definition)
        }
        for (name, value) in topic.configs where TopicConfigCatalog.definition(named: name) == nil {
            described.append(DescribedConfig(name: name, value: value, source: .topic, definition: nil))
        }
        return described.sorted { $0.name < $1.name }
    }

    private func logConfig(_ topic: Topic) throws -> LogConfig {
        try LogConfig(defaults.merging(topic.configs) { $1 })
    }

    /// Creates a topic. `validateOnly` checks without creating (CreateTopics' option).
    @discardableResult
    func create(
        _ name: String, partitions: Int32, replicationFactor: Int16 = 1, configs: [String: String] = [:],
        validateOnly: Bool = false
    ) throws(BrokerError) -> Topic {
        try Self.checkName(name)
        guard partitions > 0, partitions <= 10_000 else {
            throw BrokerError(.invalidPartitions, "the partition count must be between 1 and 10000, not \(partitions)")
        }
        guard replicationFactor == 1 || replicationFactor == -1 else {
            throw BrokerError(
                .invalidReplicationFactor,
                "this broker is a single node: the replication factor must be 1, not \(replicationFactor)")
        }
        let topic = Topic(
            name: name, idHigh: .random(in: 1...UInt64.max), idLow: .random(in: 0...UInt64.max),
            partitionCount: partitions, configs: configs, isInternal: name.hasPrefix("__"))
        let config: LogConfig
        do {
            try TopicConfigCatalog.checkNames(configs.keys)
            config = try logConfig(topic)
        } catch { throw BrokerError(.invalidConfig, "\(error)") }
        try lockedThrowing { () throws(BrokerError) in
            guard topics[name] == nil else { throw BrokerError(.topicAlreadyExists, "topic \(name) already exists") }
            guard !validateOnly else { return }
            do {
                try logs.createPartitions(topic: name, 0..<partitions, config: config)
            } catch {
                throw BrokerError(.kafkaStorageError, "\(error)")
            }
            topics[name] = topic
            try saveMapping()
        }
        return topic
    }

    func delete(_ name: String) throws(BrokerError) {
        try lockedThrowing { () throws(BrokerError) in
            guard topics.removeValue(forKey: name) != nil else {
                throw BrokerError(.unknownTopicOrPartition, "no topic \(name)")
            }
            try saveMapping()
        }
        logs.deleteTopic(name)
    }

    /// Grows a topic to `total` partitions.
    func addPartitions(_ name: String, total: Int32, validateOnly: Bool) throws(BrokerError) {
        try lockedThrowing { () throws(BrokerError) in
            guard var topic = topics[name] else { throw BrokerError(.unknownTopicOrPartition, "no topic \(name)") }
            guard total > topic.partitionCount else {
                throw BrokerError(
                    .invalidPartitions, "topic \(name) has \(topic.partitionCount) partitions; the count can only grow")
            }
            guard !validateOnly else { return }
            do {
                try logs.createPartitions(topic: name, topic.partitionCount..<total, config: try logConfig(topic))
            } catch {
                throw BrokerError(.kafkaStorageError, "\(error)")
            }
            topic.partitionCount = total
            topics[name] = topic
            try saveMapping()
        }
    }

    /// Replaces (AlterConfigs) or edits (IncrementalAlterConfigs) a topic's configs; nil values delete.
    func alterConfigs(
        _ name: String, _ changes: [String: String?], replacing: Bool, validateOnly: Bool
    ) throws(BrokerError) {
        try lockedThrowing { () throws(BrokerError) in
            guard var topic = topics[name] else { throw BrokerError(.unknownTopicOrPartition, "no topic \(name)") }
            var configs = replacing ? [:] : topic.configs
            for (key, value) in changes { configs[key] = value }
            do { try TopicConfigCatalog.checkNames(changes.keys) } catch {
                throw BrokerError(.invalidConfig, "\(error)")
            }
            topic.configs = configs
            let config: LogConfig
            do { config = try logConfig(topic) } catch { throw BrokerError(.invalidConfig, "\(error)") }
            guard !validateOnly else { return }
            topics[name] = topic
            for log in logs.partitions(of: name) { log.updateConfig(config) }
            try saveMapping()
        }
    }

    /// Kafka's rule: 1 to 249 characters of ASCII letters, digits, '.', '_' and '-', not "." or "..".
    static func checkName(_ name: String) throws(BrokerError) {
        let legal = name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        guard !name.isEmpty, name.utf8.count <= 249, legal, name != ".", name != ".." else {
            throw BrokerError(
                .invalidTopicException,
                "'\(name)' is not a valid topic name: 1 to 249 of the characters a-z, A-Z, 0-9, '.', '_', '-'")
        }
    }

    private func lockedThrowing<Result>(_ body: () throws(BrokerError) -> Result) throws(BrokerError) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Writes the definitions (under the lock).
    private func saveMapping() throws(BrokerError) {
        do { try save() } catch { throw BrokerError(.kafkaStorageError, "cannot save topic definitions: \(error)") }
    }

    private func save() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(topics.values.sorted { $0.name < $1.name })
        try writeAtomically(Array(data), to: path)
    }
}
