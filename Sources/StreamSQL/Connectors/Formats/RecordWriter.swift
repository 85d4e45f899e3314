import Foundation
import SQLSyntax

/// How JSON writes TIMESTAMP values (Flink's `json.timestamp-format.standard`).
package enum TimestampStandard: Sendable {
    case sql, iso8601

    init(option: String?) throws(SQLError) {
        switch option?.uppercased() {
        case nil, "SQL": self = .sql
        case "ISO-8601": self = .iso8601
        default: throw SQLError(.plan, "json.timestamp-format.standard is 'SQL' or 'ISO-8601', not '\(option!)'")
        }
    }
}

/// Rows to JSON or CSV lines.
package struct RecordWriter {
    /// The columns written, with their positions in the rows handed to `encode`.
    let fields: [(position: Int, column: Column)]
    let format: Format
    let delimiter: String
    /// `json.timestamp-format.standard`: 'SQL' (2024-01-01 00:00:05.000, the default) or
    /// 'ISO-8601' (2024-01-01T00:00:05.000).
    let timestampStandard: TimestampStandard

    enum Format {
        case json, csv, raw
        /// Debezium change events: each row with its kind (a changelog may be written).
        case debezium
    }

    /// Writes a table's physical columns (rows hold them in order) in its `format`.
    init(table: CatalogTable) throws(SQLError) {
        let prefix = table.options["format"] == nil && table.options["value.format"] != nil ? "value." : ""
        try self.init(table: table, positions: Array(table.physical.indices), format: table.options["format"] ?? table.options["value.format"] ?? "",
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
            guard positions.count == 1 else { throw SQLError(.plan, "the raw format needs exactly one column, table \(table.name) gives it \(positions.count)") }
            self.format = .raw
        default: throw SQLError(.unsupported, "writing format '\(format)' is not supported (json, csv, raw, debezium-json)")
        }
        delimiter = option("csv.field-delimiter") ?? ","
        timestampStandard = try TimestampStandard(option: option(format == "debezium-json" ? "debezium-json.timestamp-format.standard" : "json.timestamp-format.standard"))
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
            return Array(fields.map { field -> String in
                let text = ValueFormatter.plain(row[field.position], type: field.column.type)
                // Flink's CSV writer quotes timestamps (they hold a space).
                return Self.csvField(text, delimiter: delimiter, quote: ExpressionCompiler.isTemporalPoint(field.column.type) && text.contains(" "))
            }.joined(separator: delimiter).utf8)
        case .raw:
            let value = row[fields[0].position]
            if case let .bytes(bytes) = value { return bytes }
            return Array(ValueFormatter.plain(value, type: fields[0].column.type).utf8)
        }
    }

    /// The row's fields as a JSON object.
    private func jsonObject(_ row: Row) -> String {
        "{" + fields.map { field in
            JSONText.quote(field.column.name) + ":" + RecordWriter.jsonValue(row[field.position], type: field.column.type, standard: timestampStandard)
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

    /// How JSON text is written: as the json format writes records, or as Flink's JSON
    /// functions (JSON_STRING, JSON_OBJECT, JSON_ARRAY) write values — doubles as BigDecimal
    /// text ("123456789.123", "1.0E+308"), a map's keys in order.
    package enum JSONStyle: Sendable {
        case format, functions
    }

    package static func jsonValue(_ value: Value, type: DataType, standard: TimestampStandard = .sql, style: JSONStyle = .format) -> String {
        switch value {
        case .null: return "null"
        case let .boolean(flag): return flag ? "true" : "false"
        case let .double(number) where style == .functions && type != .float: return DecimalDigits.bigDecimalText(number)
        case .integer, .double, .decimal: return ValueFormatter.plain(value, type: type)
        case let .array(elements):
            let element: DataType = { if case let .array(inner) = type { return inner } else { return .string } }()
            return "[" + elements.map { jsonValue($0, type: element, standard: standard, style: style) }.joined(separator: ",") + "]"
        case let .row(fields):
            guard case let .row(types) = type else { return "null" }
            return "{" + zip(fields, types).map { JSONText.quote($1.name) + ":" + jsonValue($0, type: $1.type, standard: standard, style: style) }.joined(separator: ",") + "}"
        case let .map(entries):
            // An object: keys as text.
            let (keyType, valueType): (DataType, DataType) = { if case let .map(key, value) = type { return (key, value) } else { return (.string, .string) } }()
            var members = entries.map { entry in
                let key = if case let .string(name) = entry.key { name } else { ValueFormatter.plain(entry.key, type: keyType) }
                return (key, jsonValue(entry.value, type: valueType, standard: standard, style: style))
            }
            if style == .functions { members.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) } }
            return "{" + members.map { JSONText.quote($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
        case .timestamp, .timestampLTZ:
            // Flink's JSON format: an instant (TIMESTAMP_LTZ) is written in UTC with a 'Z'.
            var text = ValueFormatter.plain(value, type: type)
            if standard == .iso8601 { text = text.replacingOccurrences(of: " ", with: "T") }
            if case .timestampLTZ = value { text += "Z" }
            return JSONText.quote(text)
        default: return JSONText.quote(ValueFormatter.plain(value, type: type))
        }
    }
}
