import ArgumentParser
import KafkaClient

/// `weir groups list|describe`.
struct Groups: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List consumer groups and describe one with its lag.",
        subcommands: [List.self, Describe.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One line per group: id, state, protocol type and group type (classic, or consumer: KIP-848).")
        @OptionGroup var client: ClientOptions

        func run() async throws {
            let groups = try await client.withCluster { try await KafkaAdmin(cluster: $0).listGroups() }
            for group in groups {
                print(
                    "\(group.groupId)\t\(group.state.isEmpty ? "-" : group.state)\t\(group.protocolType.isEmpty ? "-" : group.protocolType)\t\(group.type.isEmpty ? "-" : group.type)"
                )
            }
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "A group's state, members and assignments, and per partition its committed offset, log end and lag.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "The group id.") var group: String

        func run() async throws {
            let (description, lags) = try await client.withCluster { cluster in
                let admin = KafkaAdmin(cluster: cluster)
                return (try await admin.describeGroup(group), try await admin.groupLag(group))
            }
            let strategy = description.protocolName.isEmpty ? "" : "/\(description.protocolName)"
            let type =
                description.protocolType.isEmpty ? "no protocol" : "protocol \(description.protocolType)\(strategy)"
            print(
                "group \(group): \(description.state), \(type), \(description.members.count) member\(description.members.count == 1 ? "" : "s")"
            )
            for member in description.members {
                let partitions = member.assignment.map(\.description).joined(separator: ",")
                print(
                    "  member \(member.memberId)\tclient \(member.clientId)\thost \(member.clientHost)\t\(partitions.isEmpty ? "-" : partitions)"
                )
            }
            guard !lags.isEmpty else {
                print("no committed offsets")
                return
            }
            print("topic\tpartition\tcommitted\tlog-end\tlag")
            for entry in lags {
                print(
                    "\(entry.partition.topic)\t\(entry.partition.partition)\t\(entry.committed)\t\(entry.logEnd)\t\(entry.lag)"
                )
            }
            print("total lag \(lags.reduce(0) { $0 + $1.lag })")
        }
    }
}
