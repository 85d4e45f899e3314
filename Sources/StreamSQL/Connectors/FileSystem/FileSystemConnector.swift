import SQLSyntax

/// `'connector' = 'filesystem'`: a file or a folder of files, read once (bounded), written
/// as one file.
struct FileSystemConnector: Connector {
    let name = "filesystem"
    let options = [
        OptionSpec("path", legacyNames: ["connector.path"]),
        OptionSpec("format"),
        OptionSpec("source.path.regex-pattern"),
        OptionSpec("source.monitor-interval",
                   reason: "Weir reads the files in the path once, when the query starts; it does not watch it for new ones"),
        OptionSpec("sink.rolling-policy.file-size",
                   reason: "Weir's filesystem sink writes one file (the path, or path/part-0.<format>) and does not roll it"),
        OptionSpec("partition.default-name", reason: "partitioned filesystem tables (PARTITIONED BY) are not supported"),
    ]

    func isBounded(_ table: CatalogTable) -> Bool { true }

    func source(for table: CatalogTable, in context: SourceContext) throws(SQLError) -> SourceRunner? {
        try FileSystemSource(table: table, reporter: context.reporter, replaying: context.replay != nil, columns: context.columns)
    }

    func sink(for table: CatalogTable, catalog: Catalog) throws(SQLError) -> Operator? { try FileSink(table: table) }

    func refusesUpdates(_ table: CatalogTable) -> String? { table.isChangelog ? nil : "write it in 'debezium-json'" }
}
