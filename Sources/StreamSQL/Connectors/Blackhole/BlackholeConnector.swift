import SQLSyntax

/// `'connector' = 'blackhole'`: takes every row and keeps none (for measuring a query).
struct BlackholeConnector: Connector {
    let name = "blackhole"
    let options: [OptionSpec] = []

    func sink(for table: CatalogTable, catalog: Catalog) throws(SQLError) -> Operator? { BlackholeSink() }
}

final class BlackholeSink: Operator {
    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {}
    override func watermark(_ time: Int64) throws(SQLError) {}
    override func finish() throws(SQLError) {}
}
