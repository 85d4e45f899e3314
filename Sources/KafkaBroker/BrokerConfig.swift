import KafkaLog

/// How the broker runs. Names follow Kafka's broker settings where there is one.
public struct BrokerConfig: Sendable {
    /// Where to listen; 127.0.0.1 unless told otherwise.
    public var host = "127.0.0.1"
    /// 0 picks a free port (see `KafkaServer.port`).
    public var port = 9092
    /// The address clients are told to connect to (Metadata), when not `host:port`.
    public var advertisedHost: String?
    public var advertisedPort: Int?
    /// The data folder: partition logs, topic definitions, group offsets.
    public var dataDirectory: String
    /// `node.id` (default 1).
    public var nodeId: Int32 = 1
    /// When durable data reaches disk, and so when acks=all is answered.
    public var flush: FlushPolicy = .groupCommit(intervalMs: 2)
    /// `auto.create.topics.enable` (default true): a Metadata request naming an unknown topic creates it
    /// (a Produce to an unknown topic is refused, as Kafka does: clients ask for metadata first).
    public var autoCreateTopics = true
    /// `num.partitions` (default 1): partitions of an auto-created topic.
    public var defaultPartitions: Int32 = 1
    /// `socket.request.max.bytes` (default 100 MiB): a larger request closes its connection.
    public var maxRequestBytes = 100 * 1024 * 1024
    /// Broker-wide defaults for topic configs (`retention.ms`, `segment.bytes`, ...).
    public var topicDefaults: [String: String] = [:]
    /// The broker setting each topic default was given as, with its value as given
    /// (`retention.ms` ← `log.retention.hours` = 48): DescribeConfigs names it as a synonym.
    public var topicDefaultSettings: [String: (name: String, value: String)] = [:]
    /// `log.retention.check.interval.ms` (default 5 minutes, Kafka's).
    public var retentionCheckIntervalMs: Int64 = 300_000
    /// `group.min.session.timeout.ms` / `group.max.session.timeout.ms` (Kafka's defaults: 6 s, 30 min).
    public var minSessionTimeoutMs: Int32 = 6_000
    public var maxSessionTimeoutMs: Int32 = 1_800_000
    /// `group.initial.rebalance.delay.ms` (Kafka's default 3 s): a new group waits this long
    /// for more members before its first assignment.
    public var initialRebalanceDelayMs: Int32 = 3_000
    /// `group.consumer.heartbeat.interval.ms` / `group.consumer.session.timeout.ms` (Kafka's
    /// defaults: 5 s, 45 s): for members of the consumer protocol (KIP-848).
    public var consumerHeartbeatIntervalMs = 5_000
    public var consumerSessionTimeoutMs = 45_000
    /// SASL users (name → password). When there are any, every connection must authenticate
    /// (PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512) before anything but ApiVersions and SASL.
    public var users: [String: String] = [:]

    public init(dataDirectory: String) {
        self.dataDirectory = dataDirectory
    }
}

/// When appended data is made durable (fsync) — and so when consumers may see it and
/// acks=all producers are answered. Documented in README.md.
public enum FlushPolicy: Sendable, Equatable, CustomStringConvertible {
    /// Each produce request waits for a sync that started after it was written.
    case everyBatch
    /// A flusher syncs dirty partitions at most every `intervalMs`, all at once: one sync
    /// serves every batch written before it (group commit). The default, with 2 ms.
    case groupCommit(intervalMs: Int)
    /// No syncing: the operating system writes pages when it likes. acks=all is answered at
    /// once and data a crash of the machine (not of the broker) catches may be lost.
    case operatingSystem

    /// Parses `always`, `group`, `group:MS` or `os`.
    public init?(_ text: String) {
        switch text {
        case "always", "every-batch": self = .everyBatch
        case "group": self = .groupCommit(intervalMs: 2)
        case "os", "never": self = .operatingSystem
        default:
            guard text.hasPrefix("group:"), let interval = Int(text.dropFirst(6)), interval >= 0 else { return nil }
            self = .groupCommit(intervalMs: interval)
        }
    }

    public var description: String {
        switch self {
        case .everyBatch: return "always"
        case let .groupCommit(interval): return "group:\(interval)"
        case .operatingSystem: return "os"
        }
    }
}

/// A broker setting that cannot be applied.
public struct BrokerConfigError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

extension BrokerConfig {
    /// Kafka's broker settings in hours or minutes, and the topic config (in ms) each one sets.
    static let coarseTopicDefaults: [String: (topicConfig: String, milliseconds: Int64)] = [
        "log.retention.hours": ("retention.ms", 3_600_000), "log.retention.minutes": ("retention.ms", 60_000),
        "log.roll.hours": ("segment.ms", 3_600_000),
    ]

    /// Applies one setting by Kafka's broker config name (`num.partitions`,
    /// `auto.create.topics.enable`, `log.retention.ms`, ...) or a topic config name
    /// (`retention.ms`), which becomes the default of every topic.
    public mutating func apply(key: String, value: String) throws(BrokerConfigError) {
        func integer<T: FixedWidthInteger>(_: T.Type) throws(BrokerConfigError) -> T {
            guard let number = T(value) else {
                throw BrokerConfigError(description: "\(key) must be an integer, not '\(value)'")
            }
            return number
        }
        switch key {
        case "auto.create.topics.enable":
            guard let flag = Bool(value) else {
                throw BrokerConfigError(description: "\(key) must be true or false, not '\(value)'")
            }
            autoCreateTopics = flag
        case "num.partitions": defaultPartitions = try integer(Int32.self)
        case "socket.request.max.bytes": maxRequestBytes = try integer(Int.self)
        case "log.retention.check.interval.ms": retentionCheckIntervalMs = try integer(Int64.self)
        case "group.min.session.timeout.ms": minSessionTimeoutMs = try integer(Int32.self)
        case "group.max.session.timeout.ms": maxSessionTimeoutMs = try integer(Int32.self)
        case "group.initial.rebalance.delay.ms": initialRebalanceDelayMs = try integer(Int32.self)
        case "group.consumer.heartbeat.interval.ms": consumerHeartbeatIntervalMs = try integer(Int.self)
        case "group.consumer.session.timeout.ms": consumerSessionTimeoutMs = try integer(Int.self)
        case "node.id", "broker.id": nodeId = try integer(Int32.self)
        default:
            if let definition = TopicConfigCatalog.definition(brokerSetting: key) {
                topicDefaults[definition.name] = value
                topicDefaultSettings[definition.name] = (key, value)
            } else if let (topicConfig, milliseconds) = Self.coarseTopicDefaults[key] {
                let (product, overflow) = try integer(Int64.self).multipliedReportingOverflow(by: milliseconds)
                guard !overflow else { throw BrokerConfigError(description: "\(key)=\(value) is out of range") }
                // Kafka prefers the finer setting: hours do not replace milliseconds given already.
                if topicDefaultSettings[topicConfig].map({ Self.coarseTopicDefaults[$0.name] != nil }) ?? true {
                    topicDefaults[topicConfig] = "\(product)"
                    topicDefaultSettings[topicConfig] = (key, value)
                }
            } else if TopicConfigCatalog.definition(named: key) != nil {
                topicDefaults[key] = value
                topicDefaultSettings[key] = (key, value)
            } else {
                throw BrokerConfigError(description: "unknown broker setting '\(key)'")
            }
        }
        if !topicDefaults.isEmpty {
            do { _ = try LogConfig(topicDefaults) } catch { throw BrokerConfigError(description: "\(error)") }
        }
    }
}
