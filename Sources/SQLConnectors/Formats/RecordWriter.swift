import Foundation
import SQLPlanner
import SQLSyntax
import SQLValues

/// Rows to JSON or CSV lines.
package struct RecordWriter {
    /// The columns written, with their positions in the rows handed to `encode`.
    let fields: [(position: Int, column: Column)]
    let format: Format
    let delimiter: String
    /// `json.timestamp-format.standard`: 'SQL' (2024-01-01 00:00:05.000, the default) or
    /// 'ISO-8601' (2024-01-01T00:00:05.000).
    let timestampStandard: TimestampStandard

    package enum Format {
        case json, csv, raw
        /// Debezium change events: each row with its kind (a changelog may be written).
        case debezium
    }

    /// Writes a table's physical columns (rows hold them in order) in its `format`.
    init(table: CatalogTable) throws(SQLError) {
        let prefix = table.options["format"] == nil && table.options["value.format"] != nil ? "value." : ""
        try self.init(
            table: table, positions: Array(table.physical.indices),
            format: table.options["format"] ?? table.options["value.format"] ?? "",
            optionPrefix: prefix)
    }

    /// Writes the physical columns at `positions` (a Kafka key's fields, or its value's), with
    /// the format's options read under `optionPrefix` (`key.`, `value.`) first.
    init(table: CatalogTable, positions: [Int], format: String, optionPrefix: String) throws(SQLError) {
        func option(_ key: String) -> String? { table.options[optionPrefix + key] ?? table.options[key] }
        fields = positions.map { ($0, table.schema.columns[table.physical[$0]]) }
        switch format {
        case "json": self.format = .json
        case "debezium-json": self.format = .debezium
        case "csv": self.format = .csv
        case "raw":
            guard positions.count == 1 else {
                throw SQLError(
                    .plan, "the raw format needs exactly one column, table \(table.name) gives it \(positions.count)")
            }
            self.format = .raw
        default:
            throw SQLError(.unsupported, "writing format '\(format)' is not supported (json, csv, raw, debezium-json)")
        }
        delimiter = option("csv.field-delimiter") ?? ","
        timestampStandard = try TimestampStandard(
            option: option(
                format == "debezium-json" ? "debezium-json.timestamp-format.standard" : "json.timestamp-format.standard"
            ))
    }

    /// Whether rows of every kind are written (else insertions only).
    var writesChanges: Bool { format == .debezium }

    /// One record, without a line end; `kind` matters to a changelog format only.
    func record(_ row: Row, kind: RowKind = .insert) -> [UInt8] {
        switch format {
        case .json:
            return Array(jsonObject(row).utf8)
        case .debezium:
            return Array(DebeziumJSON.record(jsonObject(row), kind: kind).utf8)
        case .csv:
            return Array(
                fields.map { field -> String in
                    let text = ValueFormatter.plain(row[field.position], type: field.column.type)
                    // Flink's CSV writer quotes timestamps (they hold a space).
                    return Self.csvField(
                        text, delimiter: delimiter,
                        quote: ExpressionCompiler.isTemporalPoint(field.column.type) && text.contains(" "))
                }.joined(separator: delimiter).utf8)
        case .raw:
            let value = row[fields[0].position]
            if case let .bytes(bytes) = value { return bytes }
            return Array(ValueFormatter.plain(value, type: fields[0].column.type).utf8)
        }
    }

    /// The row's fields as a JSON object.
    private func jsonObject(_ row: Row) -> String {
        "{"
            + fields.map { field in
                JSONText.quote(field.column.name) + ":"
                    + JSONText.value(row[field.position], type: field.column.type, standard: timestampStandard)
            }.joined(separator: ",") + "}"
    }

    /// One record as a line of a file.
    func encode(_ row: Row, kind: RowKind = .insert) -> [UInt8] { record(row, kind: kind) + [0x0A] }

    /// A CSV field, quoted (quotes doubled) when it holds the delimiter, a quote or a line break, or when `quote` asks.
    package static func csvField(_ text: String, delimiter: String, quote: Bool = false) -> String {
        // One pass over the bytes for the usual one-byte delimiter (Foundation's search per
        // character class cost more than writing the field).
        let needsQuotes: Bool
        if quote {
            needsQuotes = true
        } else if delimiter.utf8.count == 1, let mark = delimiter.utf8.first {
            needsQuotes = text.utf8.contains { $0 == mark || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
        } else {
            needsQuotes = text.contains(delimiter) || text.utf8.contains { $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
        }
        return needsQuotes ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}
