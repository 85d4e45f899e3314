import Foundation
import SQLSyntax
import SQLValues

/// A table as the catalog keeps it: its definition, and what the planner needs from it.
/// A class: sources hand it around per record, and a struct of this many references cost a
/// retain and a release of each per copy.
package final class CatalogTable: Sendable {
    package let definition: CreateTable
    /// Every column in declaration order: physical, metadata and computed.
    package let schema: Schema
    /// Positions (in `schema`) of the columns a connector reads or writes.
    package let physical: [Int]
    package let metadata: [(index: Int, key: String)]
    /// Computed columns, compiled against `schema` (they read only physical and metadata columns).
    package let computed: [(index: Int, expression: CompiledExpression)]
    /// The event-time column and the watermark's expression, compiled against `schema`.
    package let watermark: (column: Int, expression: CompiledExpression)?
    package let options: TableOptions
    /// What `options.connector` names: it reads and writes the table.
    package var connector: any TableConnector { options.resolvedConnector }

    package var name: String { definition.name.name }

    /// Whether the table's rows are a changelog (updates and deletions, not insertions only):
    /// an upsert-kafka table, or a changelog format's (debezium-json).
    package var isChangelog: Bool { connector.changelogMode(self) != .insertOnly }

    /// Whether reading the table ends by itself.
    var isBounded: Bool { connector.isBounded(self) }

    init(
        definition: CreateTable, schema: Schema, physical: [Int], metadata: [(index: Int, key: String)],
        computed: [(index: Int, expression: CompiledExpression)],
        watermark: (column: Int, expression: CompiledExpression)?, options: TableOptions
    ) {
        self.definition = definition
        self.schema = schema
        self.physical = physical
        self.metadata = metadata
        self.computed = computed
        self.watermark = watermark
        self.options = options
    }
}

extension CatalogTable {
    /// The table with a query's `/*+ OPTIONS(...) */` hint over its own options (Flink's
    /// dynamic table options: the catalog's table is unchanged), checked as CREATE TABLE
    /// checks them.
    package func overridden(by hints: [TableOption], catalog: Catalog) throws(SQLError) -> CatalogTable {
        guard !hints.isEmpty else { return self }
        var definition = self.definition
        definition.options = TableOptions.overwriting(definition.options, with: hints, connectors: catalog.connectors)
        return try TableBuilder(catalog: catalog).build(definition)
    }
}

/// A view: its query, planned again wherever it is used.
package struct CatalogView: Sendable {
    package let definition: CreateView
    package let schema: Schema

    package init(definition: CreateView, schema: Schema) {
        self.definition = definition
        self.schema = schema
    }
}

/// Tables, views, functions and settings of one session. Names are case-sensitive, as in
/// Flink (a lookup falls back to a case-insensitive match when that finds exactly one).
public final class Catalog: @unchecked Sendable {
    /// The connectors its tables may name.
    package let connectors: ConnectorRegistry
    package var tables: [String: CatalogTable] = [:]
    package var views: [String: CatalogView] = [:]
    package var functions: [String: CreateFunction] = [:]
    package var nativeScalars: [String: NativeScalarFunction] = [:]
    package var nativeAggregates: [String: NativeAggregateFunction] = [:]
    /// `SET` values, by key.
    public package(set) var settings: [String: String] = [:]

    /// What processing time is here (PROCTIME(), NOW(), processing-time windows, the state
    /// TTL): the wall clock, or a test's.
    public var clock = ProcessingClock.wall

    /// Kafka tables without `properties.bootstrap.servers` use this (`--bootstrap`,
    /// `WEIR_BOOTSTRAP`, the workbench's embedded broker).
    public var defaultBootstrap = "127.0.0.1:9092"
    /// The folder of the script being run (`weir -f`), to say where it is when a relative path
    /// it names is not found (paths are read from the working directory, as Flink reads them).
    public var scriptFolder: String?

    package init(connectors: ConnectorRegistry) {
        self.connectors = connectors
    }

    func lookup<Entry>(_ name: String, in entries: [String: Entry]) -> Entry? {
        if let exact = entries[name] { return exact }
        let matches = entries.filter { $0.key.lowercased() == name.lowercased() }
        return matches.count == 1 ? matches.first!.value : nil
    }

    package func table(_ name: String) -> CatalogTable? { lookup(name, in: tables) }
    package func view(_ name: String) -> CatalogView? { lookup(name, in: views) }
    package func function(_ name: String) -> CreateFunction? { lookup(name, in: functions) }

    /// Every table and view name, sorted (SHOW TABLES lists views too, as Flink does).
    public var tableNames: [String] { (Array(tables.keys) + Array(views.keys)).sorted() }
    public var viewNames: [String] { views.keys.sorted() }
    public var functionNames: [String] {
        (Array(functions.keys) + Array(nativeScalars.keys) + Array(nativeAggregates.keys)).sorted()
    }

    /// The setting, or its default.
    public func setting(_ key: String, default value: String) -> String { settings[key] ?? value }
}
