import SQLPlanner
import SQLRuntime
import SQLSyntax

/// `'connector' = 'datagen'`: generated rows, random or in sequence per field; bounded by
/// `number-of-rows` or a sequence's end.
package struct DatagenConnector: Connector {
    package let name = "datagen"
    package let options = [OptionSpec("rows-per-second"), OptionSpec("number-of-rows"), OptionSpec("scan.parallelism")]
    /// What `fields.<column>.<setting>` may set.
    static let fieldSettings = ["kind", "min", "max", "max-past", "length", "start", "end"]

    /// `fields.<column>.<setting>`, for a column of the table and a setting datagen has.
    package func accepts(option key: String, columns: [String]) throws(SQLError) -> Bool {
        guard key.hasPrefix("fields."), let column = columns.first(where: { key.hasPrefix("fields.\($0).") }) else {
            return false
        }
        let setting = String(key.dropFirst("fields.\(column).".count))
        if Self.fieldSettings.contains(setting) { return true }
        let suggestion = TableOptions.nearest(setting, among: Self.fieldSettings).map { "fields.\(column).\($0)" }
        throw SQLError(
            .plan,
            "unknown option '\(key)' for the datagen connector"
                + (suggestion.map { "; did you mean '\($0)'?" } ?? " (\(Self.fieldSettings.joined(separator: ", ")))"))
    }

    package func isBounded(_ table: CatalogTable) -> Bool {
        table.options["number-of-rows"] != nil
            || table.definition.columns.contains { column in
                table.options["fields.\(column.name.name).kind"] == "sequence"
            }
    }

    package func source(for table: CatalogTable, in context: SourceContext) throws(SQLError) -> SourceRunner? {
        try DatagenSource(table: table)
    }
}
