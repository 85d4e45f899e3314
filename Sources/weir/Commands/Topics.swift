import ArgumentParser
import KafkaClient

/// `weir topics list|describe|create|delete`.
struct Topics: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, describe, create and delete topics.",
        subcommands: [List.self, Describe.self, Create.self, Delete.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One line per topic: name and partition count.")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            let topics = try await client.withCluster { try await KafkaAdmin(cluster: $0).listTopics() }
            for topic in topics where !topic.isInternal {
                print("\(topic.name)\t\(topic.partitions.count) partition\(topic.partitions.count == 1 ? "" : "s")")
            }
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "A topic's partitions with leader, replicas and in-sync replicas, and the configs set on it or by the broker."
        )
        @OptionGroup var client: ClientOptions
        @Argument(help: "The topic.") var topic: String
        @Flag(name: .long, help: "List the configs at Kafka's defaults too.") var all = false

        func run() async throws {
            let (metadata, configs) = try await client.withCluster { cluster in
                let admin = KafkaAdmin(cluster: cluster)
                return (try await admin.describeTopic(topic), try await admin.describeConfigs(topic: topic))
            }
            print(
                "topic \(metadata.name) with \(metadata.partitions.count) partition\(metadata.partitions.count == 1 ? "" : "s") (id \(metadata.topicId))"
            )
            for partition in metadata.partitions {
                let replicas = partition.replicas.map(String.init).joined(separator: ",")
                let inSync = partition.inSyncReplicas.map(String.init).joined(separator: ",")
                print(
                    "  partition \(partition.partition)\tleader \(partition.leader)\treplicas \(replicas)\tisr \(inSync)"
                )
            }
            // The topic's own settings first, then the broker's, then Kafka's defaults (as the
            // broker says which is which; one that says only "default or not" puts them together).
            let defaults = configs.filter { $0.source == .kafkaDefault }
            for (title, entries) in [
                ("configs (set on the topic):", configs.filter { $0.source == .topic || $0.source == .unknown }),
                ("configs (set by the broker):", configs.filter { $0.source == .broker }),
                ("configs (Kafka's defaults):", all ? defaults : []),
            ] where !entries.isEmpty {
                print(title)
                for entry in entries { print("  \(entry.name)=\(entry.value ?? "(hidden)")") }
            }
            if !all, !defaults.isEmpty {
                print("(\(defaults.count) more configs at Kafka's defaults: --all lists them)")
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a topic.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The topic.") var topic: String
        @Option(help: "Number of partitions.") var partitions: Int32 = 1
        @Option(help: "Replication factor.") var replicationFactor: Int16 = 1
        @Option(
            name: .customLong("config"),
            help: ArgumentHelp("A topic property, key=value (repeatable).", valueName: "key=value"))
        var configs: [String] = []

        func run() async throws {
            var topicConfigs: [String: String] = [:]
            for entry in configs {
                guard let equals = entry.firstIndex(of: "=") else {
                    throw CommandFailure("--config \(entry): expected key=value")
                }
                topicConfigs[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
            }
            try await client.withCluster {
                try await KafkaAdmin(cluster: $0).createTopic(
                    topic, partitions: partitions,
                    replicationFactor: replicationFactor, configs: topicConfigs)
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a topic.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The topic.") var topic: String

        func run() async throws {
            try await client.withCluster { try await KafkaAdmin(cluster: $0).deleteTopic(topic) }
        }
    }
}
