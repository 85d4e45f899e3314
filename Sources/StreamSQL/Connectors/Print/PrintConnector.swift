import Foundation
import SQLSyntax

/// `'connector' = 'print'`: rows written to standard output (or error) as Flink prints them.
struct PrintConnector: Connector {
    let name = "print"
    let options = [OptionSpec("print-identifier"), OptionSpec("standard-error"), OptionSpec("sink.parallelism")]

    func sink(for table: CatalogTable, catalog: Catalog) throws(SQLError) -> Operator? { PrintSink(table: table) }
}

/// The print connector: each row as Flink prints it, `+I[a, b]`, behind an optional identifier.
final class PrintSink: Operator {
    let prefix: String
    let toStandardError: Bool
    let types: [DataType]

    init(table: CatalogTable) {
        let identifier = table.options["print-identifier"]
        prefix = identifier.map { "\($0)> " } ?? ""
        toStandardError = table.options["standard-error"] == "true"
        types = table.physical.map { table.schema.columns[$0].type }
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        var text = ""
        for (position, row) in rows.enumerated() {
            let kind = kinds?[position] ?? .insert
            text += prefix + kind.rawValue + "[" + row.enumerated().map { ValueFormatter.display($1, type: types[$0]) }.joined(separator: ", ") + "]\n"
        }
        // A closed pipe (`| head`) ends the output quietly rather than trapping.
        try? (toStandardError ? FileHandle.standardError : FileHandle.standardOutput).write(contentsOf: Data(text.utf8))
    }

    override func watermark(_ time: Int64) throws(SQLError) {}
    override func finish() throws(SQLError) {}
}
