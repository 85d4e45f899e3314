import SQLSyntax

/// `'connector' = 'feed'`: records handed in by the program (`Engine.feed`), split by split;
/// the workbench's and the tests' way to put rows into a query. Not listed to users.
struct FeedConnector: Connector {
    let name = "feed"
    let isListed = false
    let options = [OptionSpec("format"), OptionSpec("splits")]

    func source(for table: CatalogTable, in context: SourceContext) throws(SQLError) -> SourceRunner? {
        try FeedSource(table: table, feed: context.catalog.feed(for: table.name), reporter: context.reporter,
                       replaying: context.replay != nil)
    }
}
