import SQLPlanner
import SQLRuntime
import SQLSyntax
import SQLValues

/// `'connector' = 'blackhole'`: takes every row and keeps none (for measuring a query).
package struct BlackholeConnector: Connector {
    package let name = "blackhole"
    package let options: [OptionSpec] = []

    package func sink(for table: CatalogTable, catalog: Catalog) throws(SQLError) -> (any Sink)? { BlackholeSink() }
}

package final class BlackholeSink: Sink {
    package func write(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {}
}
