import SQLPlanner
import SQLSyntax

/// A connector that runs: besides what it declares to the catalog (`TableConnector`), it
/// makes its tables' sources and sinks. The catalog, the planner, the engine and completion
/// learn all they know of a connector from these two protocols: adding one is a folder
/// under `Sources/SQLConnectors/` and a line in `ConnectorRegistry.builtin`.
package protocol Connector: TableConnector {
    /// The table's source; nil when the connector only writes.
    func source(for table: CatalogTable, in context: SourceContext) throws(SQLError) -> SourceRunner?
    /// The table's sink; nil when the connector only reads.
    func sink(for table: CatalogTable, catalog: Catalog) throws(SQLError) -> (any Sink)?
}

extension Connector {
    package func source(for table: CatalogTable, in context: SourceContext) throws(SQLError) -> SourceRunner? { nil }
    package func sink(for table: CatalogTable, catalog: Catalog) throws(SQLError) -> (any Sink)? { nil }
}

extension CatalogTable {
    /// The connector that reads and writes the table. Every registered connector runs; one
    /// known only to the catalog (declared, with nothing behind it) is refused here.
    package func runningConnector() throws(SQLError) -> any Connector {
        guard let connector = connector as? any Connector else {
            throw SQLError(.unsupported, "the \(options.connector) connector cannot read or write tables here")
        }
        return connector
    }
}

/// What a source is made with besides its table: where it reports, what it resumes from,
/// what it reads of the table.
package struct SourceContext {
    package let catalog: Catalog
    /// Where the source reports rows read, its splits' watermarks, event times (the
    /// timeline, `\\why`); nil when nobody watches.
    package var reporter: QueryReporter?
    /// A job's checkpoints, for connectors that `checkpointsSources`.
    package var checkpointer: Checkpointer?
    /// A rerun paced for the workbench (`\\replay`).
    package var replay: ReplayControl?
    /// The columns the query reads (formats that can skip fields do).
    package var columns: ScanColumns = .all
}
