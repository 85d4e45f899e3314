/// One topic config as Kafka defines it.
public struct TopicConfigDefinition: Sendable {
    /// The topic-level name (`retention.ms`).
    public let name: String
    /// Kafka's default when neither the topic nor the broker sets it.
    public let kafkaDefault: String
    /// The broker setting that changes the default for every topic (`log.retention.ms`).
    public let brokerSetting: String
    /// DescribeConfigs' config type: 1 boolean, 2 string, 3 int, 5 long, 6 double, 7 list.
    public let type: Int8
    /// Whether this broker acts on it. The others are accepted, kept and described as Kafka
    /// describes them: a single node without replication, compaction or tiered storage has
    /// nothing to do with them.
    public let isApplied: Bool
}

/// Every topic config Kafka 3.9 defines, so DescribeConfigs answers all of them with their
/// real source (as `kafka-configs --describe --all` shows them) and an unknown name is refused
/// as Kafka refuses it.
public enum TopicConfigCatalog {
    private static let (boolean, string, int, long, double, list): (Int8, Int8, Int8, Int8, Int8, Int8) = (
        1, 2, 3, 5, 6, 7
    )
    private static let forever = "9223372036854775807"

    public static let definitions: [TopicConfigDefinition] = [
        .init(
            name: "cleanup.policy", kafkaDefault: "delete", brokerSetting: "log.cleanup.policy", type: list,
            isApplied: true),
        .init(
            name: "compression.gzip.level", kafkaDefault: "-1", brokerSetting: "compression.gzip.level", type: int,
            isApplied: false),
        .init(
            name: "compression.lz4.level", kafkaDefault: "9", brokerSetting: "compression.lz4.level", type: int,
            isApplied: false),
        .init(
            name: "compression.type", kafkaDefault: "producer", brokerSetting: "compression.type", type: string,
            isApplied: false),
        .init(
            name: "compression.zstd.level", kafkaDefault: "3", brokerSetting: "compression.zstd.level", type: int,
            isApplied: false),
        .init(
            name: "delete.retention.ms", kafkaDefault: "86400000", brokerSetting: "log.cleaner.delete.retention.ms",
            type: long, isApplied: false),
        .init(
            name: "file.delete.delay.ms", kafkaDefault: "60000", brokerSetting: "log.segment.delete.delay.ms",
            type: long, isApplied: false),
        .init(
            name: "flush.messages", kafkaDefault: forever, brokerSetting: "log.flush.interval.messages", type: long,
            isApplied: false),
        .init(
            name: "flush.ms", kafkaDefault: forever, brokerSetting: "log.flush.interval.ms", type: long,
            isApplied: false),
        .init(
            name: "follower.replication.throttled.replicas", kafkaDefault: "",
            brokerSetting: "follower.replication.throttled.replicas", type: list, isApplied: false),
        .init(
            name: "index.interval.bytes", kafkaDefault: "4096", brokerSetting: "log.index.interval.bytes", type: int,
            isApplied: true),
        .init(
            name: "leader.replication.throttled.replicas", kafkaDefault: "",
            brokerSetting: "leader.replication.throttled.replicas", type: list, isApplied: false),
        .init(
            name: "local.retention.bytes", kafkaDefault: "-2", brokerSetting: "log.local.retention.bytes", type: long,
            isApplied: false),
        .init(
            name: "local.retention.ms", kafkaDefault: "-2", brokerSetting: "log.local.retention.ms", type: long,
            isApplied: false),
        .init(
            name: "max.compaction.lag.ms", kafkaDefault: forever, brokerSetting: "log.cleaner.max.compaction.lag.ms",
            type: long, isApplied: false),
        .init(
            name: "max.message.bytes", kafkaDefault: "1048588", brokerSetting: "message.max.bytes", type: int,
            isApplied: true),
        .init(
            name: "message.downconversion.enable", kafkaDefault: "true",
            brokerSetting: "log.message.downconversion.enable", type: boolean, isApplied: true),
        .init(
            name: "message.format.version", kafkaDefault: "3.0-IV1", brokerSetting: "log.message.format.version",
            type: string, isApplied: false),
        .init(
            name: "message.timestamp.after.max.ms", kafkaDefault: forever,
            brokerSetting: "log.message.timestamp.after.max.ms", type: long, isApplied: false),
        .init(
            name: "message.timestamp.before.max.ms", kafkaDefault: forever,
            brokerSetting: "log.message.timestamp.before.max.ms", type: long, isApplied: false),
        .init(
            name: "message.timestamp.difference.max.ms", kafkaDefault: forever,
            brokerSetting: "log.message.timestamp.difference.max.ms", type: long, isApplied: false),
        .init(
            name: "message.timestamp.type", kafkaDefault: "CreateTime", brokerSetting: "log.message.timestamp.type",
            type: string, isApplied: true),
        .init(
            name: "min.cleanable.dirty.ratio", kafkaDefault: "0.5", brokerSetting: "log.cleaner.min.cleanable.ratio",
            type: double, isApplied: false),
        .init(
            name: "min.compaction.lag.ms", kafkaDefault: "0", brokerSetting: "log.cleaner.min.compaction.lag.ms",
            type: long, isApplied: false),
        .init(
            name: "min.insync.replicas", kafkaDefault: "1", brokerSetting: "min.insync.replicas", type: int,
            isApplied: false),
        .init(
            name: "preallocate", kafkaDefault: "false", brokerSetting: "log.preallocate", type: boolean,
            isApplied: false),
        .init(
            name: "remote.log.copy.disable", kafkaDefault: "false", brokerSetting: "remote.log.copy.disable",
            type: boolean, isApplied: false),
        .init(
            name: "remote.log.delete.on.disable", kafkaDefault: "false", brokerSetting: "remote.log.delete.on.disable",
            type: boolean, isApplied: false),
        .init(
            name: "remote.storage.enable", kafkaDefault: "false", brokerSetting: "remote.log.storage.system.enable",
            type: boolean, isApplied: false),
        .init(
            name: "retention.bytes", kafkaDefault: "-1", brokerSetting: "log.retention.bytes", type: long,
            isApplied: true),
        .init(
            name: "retention.ms", kafkaDefault: "604800000", brokerSetting: "log.retention.ms", type: long,
            isApplied: true),
        .init(
            name: "segment.bytes", kafkaDefault: "1073741824", brokerSetting: "log.segment.bytes", type: int,
            isApplied: true),
        .init(
            name: "segment.index.bytes", kafkaDefault: "10485760", brokerSetting: "log.index.size.max.bytes", type: int,
            isApplied: false),
        .init(
            name: "segment.jitter.ms", kafkaDefault: "0", brokerSetting: "log.roll.jitter.ms", type: long,
            isApplied: false),
        .init(name: "segment.ms", kafkaDefault: "604800000", brokerSetting: "log.roll.ms", type: long, isApplied: true),
        .init(
            name: "unclean.leader.election.enable", kafkaDefault: "false",
            brokerSetting: "unclean.leader.election.enable", type: boolean, isApplied: false),
    ]

    private static let byName = Dictionary(uniqueKeysWithValues: definitions.map { ($0.name, $0) })
    private static let byBrokerSetting = Dictionary(uniqueKeysWithValues: definitions.map { ($0.brokerSetting, $0) })

    /// The definition of a topic config name, nil for a name Kafka does not know.
    public static func definition(named name: String) -> TopicConfigDefinition? { byName[name] }

    /// The topic config a broker setting sets the default of (`log.retention.ms` → `retention.ms`).
    public static func definition(brokerSetting: String) -> TopicConfigDefinition? { byBrokerSetting[brokerSetting] }

    /// Kafka's defaults of every topic config.
    public static let defaults = Dictionary(uniqueKeysWithValues: definitions.map { ($0.name, $0.kafkaDefault) })

    /// Refuses a config name Kafka does not know, as Kafka does ("Unknown topic config name").
    public static func checkNames<Names: Sequence<String>>(_ names: Names) throws(LogError) {
        for name in names where byName[name] == nil {
            throw .invalidConfig("unknown topic config name: \(name)")
        }
    }
}
