import Foundation
import KafkaClient
import SQLPlanner
import SQLSyntax

/// A kafka or upsert-kafka table's WITH options, read and checked once: the client
/// properties, which topics, where reading starts and ends, the key and value formats, and
/// how the watermark treats quiet partitions. Flink's option names; the legacy ones
/// (`connector.topic`, `connector.startup-mode`, ...) are already renamed by `TableOptions`.
package struct KafkaTable {
    package enum Start: Equatable {
        case earliest, latest, groupOffsets, timestamp(Int64), specific([Int32: Int64])
        /// The same offset on every partition (a replay's range).
        case every(Int64)
    }

    package enum End: Equatable {
        case unbounded, latest, timestamp(Int64), specific([Int32: Int64])
        /// The same offset on every partition (a replay's range), or the partition's end if sooner.
        case every(Int64)
    }

    package enum Partitioner {
        /// By the key's hash when there is a key, else sticky (the client's default).
        case `default`
        /// Every record to partition 0 (Flink: the sink's subtask; Weir has one).
        case fixed
        case roundRobin
    }

    let table: CatalogTable
    let upsert: Bool
    /// Client properties: every `properties.*` option without the prefix.
    let client: ClientConfig
    let topics: [String]
    let topicPattern: NSRegularExpression?
    var start: Start
    var end: End
    let groupId: String?
    /// Columns (schema positions) whose values form the key, and the key's format.
    let keyColumns: [Int]
    let keyFormat: String?
    /// Columns written in the value, and the value's format.
    let valueColumns: [Int]
    let valueFormat: String
    let idleTimeoutMs: Int64?
    let discoveryIntervalMs: Int64
    let partitioner: Partitioner

    /// Metadata a kafka table can read: key → what it is.
    static let metadataKeys = [
        "timestamp", "timestamp-type", "partition", "offset", "topic", "headers", "leader-epoch",
    ]

    init(table: CatalogTable, catalog: Catalog) throws(SQLError) {
        self.table = table
        let options = table.options
        upsert = options.connector == "upsert-kafka"
        var properties: [String: String] = [:]
        for (key, value) in options.values where key.hasPrefix("properties.") {
            properties[String(key.dropFirst("properties.".count))] = value
        }
        properties["zookeeper.connect"] = nil // Flink 1.x legacy; clients talk to brokers
        if properties["bootstrap.servers"] == nil { properties["bootstrap.servers"] = catalog.defaultBootstrap }
        groupId = properties["group.id"]
        client = ClientConfig(properties)

        topics = (options["topic"] ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty
        }
        if let pattern = options["topic-pattern"] {
            guard topics.isEmpty else {
                throw SQLError(.plan, "table \(table.name): give 'topic' or 'topic-pattern', not both")
            }
            do {
                topicPattern = try NSRegularExpression(pattern: "^(?:" + pattern + ")$")
            } catch {
                throw SQLError(.plan, "table \(table.name): 'topic-pattern' is not a regular expression: \(pattern)")
            }
        } else {
            topicPattern = nil
            guard !topics.isEmpty else { throw SQLError(.plan, "the kafka table \(table.name) needs a 'topic' option") }
        }
        if upsert, topics.count != 1 {
            throw SQLError(.plan, "the upsert-kafka table \(table.name) needs exactly one 'topic'")
        }

        // upsert-kafka reads a topic whole (Flink has no startup mode for it): the latest value of every key.
        start =
            upsert ? .earliest : try Self.start(options, table: table.name, upsert: upsert, hasGroup: groupId != nil)
        end = try Self.end(options, table: table.name)

        // Key and value.
        func columns(_ list: String) throws(SQLError) -> [Int] {
            var found: [Int] = []
            for name in list.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                guard let index = table.schema.index(of: name), table.physical.contains(index) else {
                    throw SQLError(.plan, "table \(table.name): key field '\(name)' is not a physical column")
                }
                found.append(index)
            }
            return found
        }
        if upsert {
            guard let primaryKey = table.definition.primaryKey else {
                throw SQLError(
                    .plan,
                    "the upsert-kafka table \(table.name) needs a PRIMARY KEY (...) NOT ENFORCED: it is the message key"
                )
            }
            keyColumns = try columns(primaryKey.columns.map(\.name).joined(separator: ";"))
            guard let format = options["key.format"] else {
                throw SQLError(.plan, "the upsert-kafka table \(table.name) needs 'key.format'")
            }
            keyFormat = format
        } else if let list = options["key.fields"] {
            keyColumns = try columns(list)
            guard let format = options["key.format"] else {
                throw SQLError(.plan, "table \(table.name) has 'key.fields' and needs 'key.format' too")
            }
            keyFormat = format
        } else {
            keyColumns = []
            keyFormat = options["key.format"]
            if keyFormat != nil {
                throw SQLError(.plan, "table \(table.name) has 'key.format' and needs 'key.fields' too")
            }
        }
        switch (options["value.fields-include"] ?? "ALL").uppercased() {
        case "ALL": valueColumns = table.physical
        case "EXCEPT_KEY":
            let keys = keyColumns
            valueColumns = table.physical.filter { !keys.contains($0) }
        case let other: throw SQLError(.plan, "'value.fields-include' is ALL or EXCEPT_KEY, not '\(other)'")
        }
        guard let format = options["value.format"] ?? options["format"] else {
            throw SQLError(.plan, "the kafka table \(table.name) needs 'format' (or 'value.format'): json, csv or raw")
        }
        valueFormat = format

        let idle = options["scan.watermark.idle-timeout"] ?? catalog.settings["table.exec.source.idle-timeout"]
        idleTimeoutMs = try idle.map { text throws(SQLError) in
            try TableOptions.milliseconds(text, option: "scan.watermark.idle-timeout")
        }.flatMap { $0 > 0 ? $0 : nil }
        discoveryIntervalMs =
            try options["scan.topic-partition-discovery.interval"].map { text throws(SQLError) in
                try TableOptions.milliseconds(text, option: "scan.topic-partition-discovery.interval")
            } ?? 10_000
        switch options["sink.partitioner"] ?? "default" {
        case "default": partitioner = .default
        case "fixed": partitioner = .fixed
        case "round-robin": partitioner = .roundRobin
        case let other: throw SQLError(.plan, "'sink.partitioner' is default, fixed or round-robin, not '\(other)'")
        }
        for (_, key) in table.metadata where !Self.metadataKeys.contains(key) {
            throw SQLError(
                .plan, "kafka tables have no metadata '\(key)' (\(Self.metadataKeys.joined(separator: ", ")))")
        }
    }

    private static func start(
        _ options: TableOptions, table: String, upsert: Bool, hasGroup: Bool
    ) throws(SQLError) -> Start {
        // Flink's default is the group's offsets; without a group there are none, so earliest.
        let mode = options["scan.startup.mode"] ?? (hasGroup ? "group-offsets" : "earliest-offset")
        switch mode {
        case "earliest-offset": return .earliest
        case "latest-offset": return .latest
        case "group-offsets":
            guard hasGroup else {
                throw SQLError(.plan, "table \(table): scan.startup.mode 'group-offsets' needs 'properties.group.id'")
            }
            return .groupOffsets
        case "timestamp":
            guard let text = options["scan.startup.timestamp-millis"], let millis = Int64(text) else {
                throw SQLError(
                    .plan,
                    "table \(table): scan.startup.mode 'timestamp' needs 'scan.startup.timestamp-millis' (milliseconds since the epoch)"
                )
            }
            return .timestamp(millis)
        case "specific-offsets":
            guard let text = options["scan.startup.specific-offsets"] else {
                throw SQLError(
                    .plan,
                    "table \(table): scan.startup.mode 'specific-offsets' needs 'scan.startup.specific-offsets' ('partition:0,offset:42;partition:1,offset:300')"
                )
            }
            return .specific(try specificOffsets(text, option: "scan.startup.specific-offsets"))
        default:
            throw SQLError(
                .plan,
                "table \(table): scan.startup.mode is earliest-offset, latest-offset, group-offsets, timestamp or specific-offsets, not '\(mode)'"
            )
        }
    }

    private static func end(_ options: TableOptions, table: String) throws(SQLError) -> End {
        let mode = options["scan.bounded.mode"] ?? "unbounded"
        switch mode {
        case "unbounded": return .unbounded
        case "latest-offset": return .latest
        case "timestamp":
            guard let text = options["scan.bounded.timestamp-millis"], let millis = Int64(text) else {
                throw SQLError(
                    .plan, "table \(table): scan.bounded.mode 'timestamp' needs 'scan.bounded.timestamp-millis'")
            }
            return .timestamp(millis)
        case "specific-offsets":
            guard let text = options["scan.bounded.specific-offsets"] else {
                throw SQLError(
                    .plan, "table \(table): scan.bounded.mode 'specific-offsets' needs 'scan.bounded.specific-offsets'")
            }
            return .specific(try specificOffsets(text, option: "scan.bounded.specific-offsets"))
        default:
            throw SQLError(
                .plan,
                "table \(table): scan.bounded.mode is unbounded, latest-offset, timestamp or specific-offsets, not '\(mode)'"
            )
        }
    }

    /// `partition:0,offset:42;partition:1,offset:300`.
    static func specificOffsets(_ text: String, option: String) throws(SQLError) -> [Int32: Int64] {
        var offsets: [Int32: Int64] = [:]
        for entry in text.split(separator: ";") {
            var partition: Int32?
            var offset: Int64?
            for pair in entry.split(separator: ",") {
                let parts = pair.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2 else { break }
                if parts[0] == "partition" { partition = Int32(parts[1]) }
                if parts[0] == "offset" { offset = Int64(parts[1]) }
            }
            guard let partition, let offset else {
                throw SQLError(
                    .plan, "'\(option)' is a list like 'partition:0,offset:42;partition:1,offset:300', not '\(text)'")
            }
            offsets[partition] = offset
        }
        return offsets
    }
}

/// Runs the async Kafka client from a query's thread (a thread of its own, never one of
/// Swift's concurrency pool, so blocking it starves nothing) and waits for the answer.
package func awaitClient<Result: Sendable>(
    _ work: @escaping @Sendable () async throws -> Result
) throws(SQLError) -> Result {
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var outcome: Swift.Result<Result, any Error>?
    Task {
        do {
            outcome = .success(try await work())
        } catch {
            outcome = .failure(error)
        }
        done.signal()
    }
    done.wait()
    switch outcome! {
    case let .success(value): return value
    case let .failure(error): throw SQLError(.execution, "kafka: \(error)")
    }
}
