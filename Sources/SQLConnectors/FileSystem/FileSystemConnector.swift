import SQLPlanner
import SQLRuntime
import SQLSyntax

/// `'connector' = 'filesystem'`: a file or a folder of files, read once (bounded), written
/// as one file.
package struct FileSystemConnector: Connector {
    package let name = "filesystem"
    package let options = [
        OptionSpec("path", legacyNames: ["connector.path"]),
        OptionSpec("format"),
        OptionSpec("source.path.regex-pattern"),
        OptionSpec(
            "source.monitor-interval",
            reason: "Weir reads the files in the path once, when the query starts; it does not watch it for new ones"),
        OptionSpec(
            "sink.rolling-policy.file-size",
            reason: "Weir's filesystem sink writes one file (the path, or path/part-0.<format>) and does not roll it"),
        OptionSpec(
            "partition.default-name", reason: "partitioned filesystem tables (PARTITIONED BY) are not supported"),
    ]

    package func isBounded(_ table: CatalogTable) -> Bool { true }

    package func source(for table: CatalogTable, in context: SourceContext) throws(SQLError) -> SourceRunner? {
        try FileSystemSource(
            table: table, reporter: context.reporter, replaying: context.replay != nil, columns: context.columns,
            scriptFolder: context.catalog.scriptFolder)
    }

    package func sink(for table: CatalogTable, catalog: Catalog) throws(SQLError) -> (any Sink)? {
        try FileSink(table: table)
    }

    package func refusesUpdates(_ table: CatalogTable) -> String? {
        table.isChangelog ? nil : "write it in 'debezium-json'"
    }
}
