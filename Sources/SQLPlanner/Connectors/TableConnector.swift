import SQLSyntax

/// A connector as the catalog and the planner know it: what `'connector' = '…'` names in
/// a table's WITH options. It declares the options it takes and what its tables are
/// (bounded or not, insertions or a changelog) and checks a table's options when the table
/// is created. What runs it — its sources and sinks — is the runtime's `Connector`, which
/// refines this; the catalog, the planner and completion need only this part.
package protocol TableConnector: Sendable {
    /// The `connector` option's value ("kafka").
    var name: String { get }
    /// Listed in errors and completion (the workbench's internal `feed` is not).
    var isListed: Bool { get }
    /// The WITH options it takes besides `connector` (a format's come with the format).
    var options: [OptionSpec] { get }

    /// Whether `key`, not among `options`, belongs to it anyway: a family such as Kafka's
    /// `properties.*`. Throws to refuse it with a better hint than the nearest key.
    func accepts(option key: String, columns: [String]) throws(SQLError) -> Bool
    /// Checks a table's options together, when it is created or hinted: whatever can be
    /// found wrong before reading is found here.
    func validate(_ table: CatalogTable, catalog: Catalog) throws(SQLError)
    /// What CREATE TABLE says besides succeeding (an option ignored on purpose).
    func notes(for table: CatalogTable) -> [String]

    /// Whether reading the table ends by itself.
    func isBounded(_ table: CatalogTable) -> Bool
    /// What reading the table gives: insertions only, or a changelog.
    func changelogMode(_ table: CatalogTable) -> ChangelogMode
    /// INSERTs that read its tables run as background jobs even when bounded: they read a
    /// live system over the network, for as long as that takes, and may be checkpointed.
    var readsLiveSystem: Bool { get }
    /// Whether a job's checkpoint can record where its source was.
    var checkpointsSources: Bool { get }
    /// Why the table cannot take a query's updates and deletions, as advice for the user
    /// ("write it in 'debezium-json'"); nil when it takes them.
    func refusesUpdates(_ table: CatalogTable) -> String?
}

extension TableConnector {
    package var isListed: Bool { true }
    package func accepts(option key: String, columns: [String]) throws(SQLError) -> Bool { false }
    package func validate(_ table: CatalogTable, catalog: Catalog) throws(SQLError) {}
    package func notes(for table: CatalogTable) -> [String] { [] }
    package func isBounded(_ table: CatalogTable) -> Bool { false }
    /// A table is a changelog when its format is one (debezium-json).
    package func changelogMode(_ table: CatalogTable) -> ChangelogMode {
        FormatOptions.isChangelog(table.options["format"] ?? table.options["value.format"]) ? .changelog : .insertOnly
    }
    package var readsLiveSystem: Bool { false }
    package var checkpointsSources: Bool { false }
    package func refusesUpdates(_ table: CatalogTable) -> String? { nil }
}

/// What reading a table gives (Flink's changelog modes).
package enum ChangelogMode: Sendable {
    /// Insertions only.
    case insertOnly
    /// Insertions, updates (before and after) and deletions: a changelog format's rows.
    case changelog
    /// The latest row per primary key, deletions as keys without a row (upsert-kafka).
    case upsert
}

/// A WITH option a connector or a format takes.
package struct OptionSpec: Sendable {
    package let key: String
    /// Flink's legacy names for it (`connector.topic` for `topic`), read as `key`.
    var legacyNames: [String] = []
    /// Values Weir cannot honour, and why: refused by name, so that a table never reads or
    /// writes differently from Flink's without a word. `supported` lists the values taken
    /// (lowercased; none when the option cannot be given at all).
    var unsupported: (supported: Set<String>, reason: String)?

    package init(_ key: String, legacyNames: [String] = [], supported: Set<String>? = nil, reason: String? = nil) {
        self.key = key
        self.legacyNames = legacyNames
        if let reason { unsupported = (supported ?? [], reason) }
    }
}
