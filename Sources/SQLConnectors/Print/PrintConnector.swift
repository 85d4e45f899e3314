import Foundation
import SQLPlanner
import SQLRuntime
import SQLSyntax
import SQLValues

/// `'connector' = 'print'`: rows written to standard output (or error) as Flink prints them.
package struct PrintConnector: Connector {
    package let name = "print"
    package let options = [
        OptionSpec("print-identifier"), OptionSpec("standard-error"), OptionSpec("sink.parallelism"),
    ]

    package func sink(for table: CatalogTable, catalog: Catalog) throws(SQLError) -> (any Sink)? {
        PrintSink(table: table)
    }
}

/// The print connector: each row as Flink prints it, `+I[a, b]`, behind an optional identifier.
package final class PrintSink: Sink {
    let prefix: String
    let toStandardError: Bool
    let types: [DataType]

    init(table: CatalogTable) {
        let identifier = table.options["print-identifier"]
        prefix = identifier.map { "\($0)> " } ?? ""
        toStandardError = table.options["standard-error"] == "true"
        types = table.physical.map { table.schema.columns[$0].type }
    }

    package func write(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        var text = ""
        for (position, row) in rows.enumerated() {
            let kind = kinds?[position] ?? .insert
            text +=
                prefix + kind.rawValue + "["
                + row.enumerated().map { ValueFormatter.display($1, type: types[$0]) }.joined(separator: ", ") + "]\n"
        }
        // A closed pipe (`| head`) ends the output quietly rather than trapping.
        try? (toStandardError ? FileHandle.standardError : FileHandle.standardOutput).write(contentsOf: Data(text.utf8))
    }

}
