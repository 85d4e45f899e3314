import SQLPlanner
import SQLRuntime
import SQLSyntax

/// `'connector' = 'feed'`: records handed in by the program (`Engine.feed`), split by split;
/// the workbench's and the tests' way to put rows into a query. Not listed to users.
/// Each engine registers its own, over its own inputs.
package struct FeedConnector: Connector {
    let inputs: FeedInputs
    package let name = "feed"
    package let isListed = false

    package init(inputs: FeedInputs) {
        self.inputs = inputs
    }
    package let options = [OptionSpec("format"), OptionSpec("splits")]

    package func source(for table: CatalogTable, in context: SourceContext) throws(SQLError) -> SourceRunner? {
        try FeedSource(
            table: table, feed: inputs.feed(for: table.name), reporter: context.reporter,
            replaying: context.replay != nil)
    }
}
