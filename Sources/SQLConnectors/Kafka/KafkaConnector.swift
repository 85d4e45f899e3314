import SQLPlanner
import SQLRuntime
import SQLSyntax

/// `'connector' = 'kafka'` and `'upsert-kafka'`: topics read and written through Weir's
/// Kafka client. Unbounded unless `scan.bounded.mode` names an end; an upsert-kafka table is
/// the latest row per key.
package struct KafkaConnector: Connector {
    let upsert: Bool
    package var name: String { upsert ? "upsert-kafka" : "kafka" }

    package var options: [OptionSpec] { upsert ? Self.upsertOptions : Self.kafkaOptions }

    private static let shared = [
        OptionSpec("topic", legacyNames: ["connector.topic"]), OptionSpec("properties.bootstrap.servers"),
        OptionSpec("key.format"), OptionSpec("value.format"), OptionSpec("value.fields-include"),
        OptionSpec("scan.bounded.mode"), OptionSpec("scan.bounded.timestamp-millis"),
        OptionSpec("scan.bounded.specific-offsets"),
        OptionSpec("scan.watermark.idle-timeout"), OptionSpec("sink.parallelism"),
        OptionSpec(
            "key.fields-prefix", supported: [""],
            reason: "key fields named with a prefix are not supported yet: name the key's columns as its fields"),
    ]
    private static let kafkaOptions =
        shared + [
            OptionSpec("topic-pattern"), OptionSpec("properties.group.id"),
            OptionSpec("scan.startup.mode", legacyNames: ["connector.startup-mode"]),
            OptionSpec("scan.startup.timestamp-millis"), OptionSpec("scan.startup.specific-offsets"),
            OptionSpec("format"),
            OptionSpec("key.fields"),
            OptionSpec("sink.partitioner"), OptionSpec("connector.version"),
            OptionSpec("scan.topic-partition-discovery.interval"),
            OptionSpec("update-mode"),
            OptionSpec(
                "sink.delivery-guarantee", supported: ["at-least-once", "none"],
                reason: "exactly-once needs transactions, which Weir's producer does not write (at-least-once or none)"),
        ]
    private static let upsertOptions =
        shared + [OptionSpec("sink.buffer-flush.max-rows"), OptionSpec("sink.buffer-flush.interval")]

    /// The client's properties, `properties.*`, whatever they are: the client checks them.
    package func accepts(option key: String, columns: [String]) throws(SQLError) -> Bool {
        key.hasPrefix("properties.")
    }

    package func validate(_ table: CatalogTable, catalog: Catalog) throws(SQLError) {
        _ = try KafkaTable(table: table, catalog: catalog)
    }

    package func notes(for table: CatalogTable) -> [String] {
        table.options["properties.zookeeper.connect"] == nil
            ? [] : ["zookeeper.connect is ignored (Kafka clients talk to the brokers)"]
    }

    package func isBounded(_ table: CatalogTable) -> Bool {
        table.options["scan.bounded.mode"].map { $0 != "unbounded" } ?? false
    }

    package func changelogMode(_ table: CatalogTable) -> ChangelogMode {
        upsert
            ? .upsert
            : FormatOptions.isChangelog(table.options["format"] ?? table.options["value.format"])
                ? .changelog : .insertOnly
    }

    package var readsLiveSystem: Bool { true }
    package var checkpointsSources: Bool { true }

    package func source(for table: CatalogTable, in context: SourceContext) throws(SQLError) -> SourceRunner? {
        try KafkaSource(
            table: table, catalog: context.catalog, reporter: context.reporter, checkpointer: context.checkpointer,
            replay: context.replay, columns: context.columns)
    }

    package func sink(for table: CatalogTable, catalog: Catalog) throws(SQLError) -> (any Sink)? {
        try KafkaSink(table: table, catalog: catalog)
    }

    package func refusesUpdates(_ table: CatalogTable) -> String? {
        table.isChangelog ? nil : "write it to an upsert-kafka table, or in 'debezium-json'"
    }
}
