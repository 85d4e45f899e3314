import Foundation
import SQLPlanner
import SQLRuntime
import SQLSyntax
import SQLValues

/// The formats of records: json (fields by name), csv (fields by position) and raw (the whole
/// line in the one physical column).
package struct RecordFormat {
    package enum Kind {
        case json(failOnMissing: Bool)
        case csv(CSVOptions)
        case raw
        /// Debezium change events (a changelog: `decodeChanges`).
        case debezium(schemaInclude: Bool)
    }

    let kind: Kind
    let ignoreErrors: Bool
    /// How JSON writes a TIMESTAMP's text (`json.timestamp-format.standard`): a value in the
    /// other form does not read, as in Flink.
    private(set) var timestampStandard = TimestampStandard.sql
    /// Physical columns: their positions in the row, names (as UTF-8) and types.
    let physical: [(index: Int, name: [UInt8], type: DataType)]
    /// The same columns for the JSON reader's inner loop: names in one buffer, positions and
    /// types apart, so matching a field name touches no reference-counted value.
    private let fieldNames: FieldNames
    /// Per column, what the JSON reader does with its field: decided once per query, so that
    /// the loop over a record's fields switches on a small plain value, not on a `DataType`.
    private let fieldPlans: [FieldPlan]
    private let columnTypes: [DataType]
    private let byName: [String: Int]
    /// The last event time's date (a reader keeps its format in a variable for this).
    private var dates = DateMemo()
    /// JSON: the shape of the records read last (nil until one is read, or when records keep
    /// changing shape), how often it served, and the values of the record being read.
    private var shape: JSONRecordShape? {
        didSet { shapeReader = shape?.reader }
    }
    /// The shape's reader (valid as long as `shape` holds the shape).
    private var shapeReader: JSONRecordShape.Reader?
    private var shapeHits = 0
    private var shapeMisses = 0
    /// Records `decodeLine` could not read.
    private var lineMisses = 0
    private var spans: [JSONRecordShape.ValueSpan] = []

    /// The format of a table's records: `format` (or `value.format`) over its physical columns.
    init(table: CatalogTable, scan: ScanColumns = .all) throws(SQLError) {
        let options = table.options
        let prefix = options["format"] == nil && options["value.format"] != nil ? "value." : ""
        try self.init(
            table: table, columns: table.physical, format: options["format"] ?? options["value.format"] ?? "",
            optionPrefix: prefix,
            scan: scan)
    }

    /// A format over some of a table's columns (a Kafka key's fields, or its value's), with
    /// the format's options read under `optionPrefix` (`key.`, `value.`) first.
    /// `scan`: what a query reads of the table; the fields of other columns are left NULL.
    init(
        table: CatalogTable, columns: [Int], format: String, optionPrefix: String, scan: ScanColumns = .all
    ) throws(SQLError) {
        func option(_ key: String) -> String? { table.options[optionPrefix + key] ?? table.options[key] }
        physical = columns.map { ($0, Array(table.schema.columns[$0].name.utf8), table.schema.columns[$0].type) }
        fieldPlans = columns.map { column in
            FieldPlan(column: column, type: table.schema.columns[column].type, scan: scan)
        }
        fieldNames = FieldNames(physical.map(\.name))
        columnTypes = physical.map(\.type)
        var lookup: [String: Int] = [:]
        for (position, column) in physical.enumerated() { lookup[table.schema.columns[column.index].name] = position }
        byName = lookup
        switch format {
        case "json":
            kind = .json(failOnMissing: option("json.fail-on-missing-field") == "true")
            timestampStandard = try TimestampStandard(option: option("json.timestamp-format.standard"))
            ignoreErrors = option("json.ignore-parse-errors") == "true"
            if ignoreErrors, option("json.fail-on-missing-field") == "true" {
                throw SQLError(
                    .plan, "json.fail-on-missing-field and json.ignore-parse-errors cannot both be true (as in Flink)")
            }
        case "csv":
            kind = .csv(try CSVOptions(option))
            ignoreErrors = option("csv.ignore-parse-errors") == "true"
        case "debezium-json":
            kind = .debezium(schemaInclude: option("debezium-json.schema-include") == "true")
            ignoreErrors = option("debezium-json.ignore-parse-errors") == "true"
        case "raw":
            guard physical.count == 1 else {
                throw SQLError(
                    .plan, "the raw format needs exactly one column, table \(table.name) gives it \(physical.count)")
            }
            kind = .raw
            ignoreErrors = false
        case "":
            throw SQLError(.plan, "table \(table.name) needs a 'format' option (json, csv, raw)")
        default:
            throw SQLError(.unsupported, "format '\(format)' is not supported (json, csv, raw, debezium-json)")
        }
    }

    /// Whether records are changes (rows taken back as well as given): read by `decodeChanges`.
    var isChangelog: Bool {
        if case .debezium = kind { return true }
        return false
    }

    /// A changelog format's record: the rows it changes, of `width` columns, and how; nil
    /// when it is skipped (ignore-parse-errors).
    func decodeChanges(
        _ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, width: Int
    ) throws(SQLError) -> [(row: Row, kind: RowKind)]? {
        guard case let .debezium(schemaInclude) = kind else { return nil }
        do throws(SQLError) {
            return try DebeziumJSON.changes(
                bytes, start, end, byName: byName, columns: physical, width: width, schemaInclude: schemaInclude)
        } catch {
            if ignoreErrors { return nil }
            throw error
        }
    }

    /// Decodes one record into `row`; false when it is skipped (ignore-parse-errors).
    mutating func decode(
        _ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, into row: inout Row, table: CatalogTable
    ) throws(SQLError) -> Bool {
        do throws(SQLError) {
            switch kind {
            case let .json(failOnMissing): try decodeJSON(bytes, start, end, into: &row, failOnMissing: failOnMissing)
            case let .csv(options):
                // A comment line (csv.allow-comments) is no record.
                if options.allowComments, start < end, bytes[start] == 0x23 { return false }
                try decodeCSV(bytes, start, end, into: &row, options: options)
            case .raw:
                row[physical[0].index] = .string(
                    String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
            case .debezium:
                throw SQLError(.internalBug, "a changelog format's records are read by decodeChanges")
            }
            return true
        } catch {
            if ignoreErrors { return false }
            throw error
        }
    }

    /// Decodes the record of the line that starts at `start` when the learned JSON shape
    /// reads it whole, with plain values only, and a line's end follows (`\n`, `\r\n` or the
    /// end of `bytes`); returns where that line's newline is (or `bytes.count`). Nil otherwise:
    /// the caller then finds the line's end and calls `decode` — the row may be partly
    /// written, by values of this line that the general reader writes again.
    ///
    /// Why: a record of the shape ends at its last literal, so the line's end need not be
    /// searched for first (a memchr per line, 6% of reading the seeds' payments). Nothing read
    /// this way can hold a newline — literals come from one line, plain values hold none — so
    /// the record cannot run on into the next line.
    mutating func decodeLine(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, into row: inout Row) -> Int? {
        // Records this way cannot read (values with escapes, say) are read once, not twice:
        // after as many misses as hits (and 64 at least) it is no longer tried.
        guard case let .json(failOnMissing) = kind, let shape = shapeReader, lineMisses < 64 || lineMisses < shapeHits
        else { return nil }
        if let end = decodeByShape(
            shape, bytes, start, bytes.count, into: &row, failOnMissing: failOnMissing, plainOnly: true)
        {
            if end == bytes.count || bytes[end] == 0x0A {
                shapeHits += 1
                return end
            }
            if bytes[end] == 0x0D, end + 1 == bytes.count || bytes[end + 1] == 0x0A {
                shapeHits += 1
                return min(end + 1, bytes.count)
            }
        }
        lineMisses += 1
        return nil
    }

    private mutating func decodeJSON(
        _ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, into row: inout Row, failOnMissing: Bool
    ) throws(SQLError) {
        if let shape = shapeReader {
            if decodeByShape(shape, bytes, start, end, into: &row, failOnMissing: failOnMissing, plainOnly: false)
                == end
            {
                shapeHits += 1
                return
            }
            shapeMisses += 1
        }
        // A shape is learned from each record read the general way, as long as shapes pay:
        // records of ever-changing shapes stop it.
        let learning = shapeMisses < 64 || shapeMisses < shapeHits
        if learning { spans.removeAll(keepingCapacity: true) }
        var scanner = JSONScanner(bytes, from: start, to: end)
        guard scanner.consume(0x7B) else { throw SQLError(.execution, "not a JSON object") }
        var seen = 0
        // Records usually list their fields in the same order: the next column is tried first.
        var expected = 0
        if !scanner.consume(0x7D) {
            repeat {
                guard scanner.consume(0x22) else {
                    throw SQLError(.execution, "malformed JSON: expected a field name at byte \(scanner.index - start)")
                }
                // Field names are matched as bytes against the columns' names: no String per field.
                let keyStart = scanner.index
                let position: Int?
                let key: String
                if let length = fieldNames.length(
                    of: expected, at: bytes.baseAddress! + keyStart, within: end - keyStart)
                {
                    // The usual case: the expected name and its closing quote, without a search for the quote.
                    scanner.index = keyStart + length + 1
                    (position, key) = (expected, "")
                } else {
                    (position, key) = try fieldName(&scanner, bytes, end: end, tryingFirst: expected)
                }
                guard scanner.consume(0x3A) else {
                    throw SQLError(.execution, "malformed JSON: expected ':' after a field name")
                }
                if let position {
                    expected = position + 1
                    seen += 1
                }
                scanner.skipSpace()
                let valueStart = scanner.index
                // A field of no column, or of one no one reads: skipped, not decoded.
                if let position, fieldPlans[position].reading != .skipped {
                    do throws(SQLError) {
                        row[fieldPlans[position].target] = try readValue(of: position, &scanner)
                    } catch  where ignoreErrors {
                        // With json.ignore-parse-errors a value of the wrong type is NULL, as in
                        // Flink; a value that is not JSON at all still fails the record.
                        scanner.index = valueStart
                        guard scanner.skipValue() else { throw error }
                        row[fieldPlans[position].target] = .null
                    }
                } else {
                    guard scanner.skipValue() else { throw SQLError(.execution, "malformed JSON value of \"\(key)\"") }
                }
                if learning { spans.append(.init(position: position ?? -1, start: valueStart, end: scanner.index)) }
            } while scanner.consume(0x2C)
            guard scanner.consume(0x7D) else {
                throw SQLError(.execution, "malformed JSON: expected ',' or '}' at byte \(scanner.index - start)")
            }
        }
        scanner.skipSpace()
        guard scanner.index == end else { throw SQLError(.execution, "malformed JSON: text after the object") }
        if failOnMissing, seen < physical.count {
            let missing = physical.filter { row[$0.index].isNull }.map { String(decoding: $0.name, as: UTF8.self) }
            throw SQLError(
                .execution, "missing field(s) \(missing.joined(separator: ", ")) (json.fail-on-missing-field is true)")
        }
        shape = learning ? JSONRecordShape(bytes, start: start, end: end, spans: spans, plans: fieldPlans) : nil
    }

    /// Reads a record of the learned shape from `start`, before `end`: the shape's reader
    /// takes the plain values, the scanner any other (unless `plainOnly`). Returns the position
    /// after the shape's last literal; nil (the row partly written, which the general path then
    /// overwrites field by field) where the record is not of the shape or a value does not read.
    private mutating func decodeByShape(
        _ shape: JSONRecordShape.Reader, _ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int,
        into row: inout Row, failOnMissing: Bool, plainOnly: Bool
    ) -> Int? {
        if failOnMissing, shape.columnsSeen < physical.count { return nil }
        return row.withUnsafeMutableBufferPointer { values -> Int? in
            var (value, at) = (0, start)
            while true {
                switch shape.read(bytes, from: value, at: at, end: end, into: values, dates: &dates) {
                case let .read(end):
                    return end
                case .differs:
                    return nil
                case let .notPlain(stopped, position):
                    guard !plainOnly,
                        let next = readValueTheGeneralWay(
                            of: shape.position(ofValue: stopped), bytes, position, end, into: values)
                    else { return nil }
                    (value, at) = (stopped + 1, next)
                }
            }
        }
    }

    /// The value at `at` read into `values` (column `position`'s) or skipped (-1, or a column
    /// no one reads) by the scanner: the position after it, nil when it does not read.
    @inline(never)
    private mutating func readValueTheGeneralWay(
        of position: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ at: Int, _ end: Int,
        into values: UnsafeMutableBufferPointer<Value>
    ) -> Int? {
        var scanner = JSONScanner(bytes, from: at, to: end)
        if position >= 0, fieldPlans[position].reading != .skipped {
            guard let value = try? readValue(of: position, &scanner) else { return nil }
            values[fieldPlans[position].target] = value
        } else {
            guard scanner.skipValue() else { return nil }
        }
        return scanner.index
    }

    /// The value of column `position`'s field at the scanner, read by the column's plan
    /// (it goes to the plan's target in the row).
    @inline(__always)
    private mutating func readValue(of position: Int, _ scanner: inout JSONScanner) throws(SQLError) -> Value {
        let plan = fieldPlans[position]
        switch plan.reading {
        case .eventTime:
            return try parsedTime(&scanner, position)
        case .integer:
            if let number = scanner.plainInteger() {
                guard number >= plan.minimum, number <= plan.maximum else { throw notA(position) }
                return .integer(number)
            }
        case .double:
            if let number = scanner.plainDecimal() { return .double(number) }
        case .skipped, .string, .other:
            try checkTimestampStandard(scanner, position)
        }
        // Anything the plain paths do not take (an exponent, a quoted number, null) goes the general way.
        guard let value = try Self.jsonValue(&scanner, as: columnTypes[position]) else { throw notA(position) }
        return value
    }

    /// A TIMESTAMP field's text must be in the table's standard: `2024-03-05 22:15:30` (SQL) or
    /// `2024-03-05T22:15:30` (ISO-8601), and a TIMESTAMP_LTZ's end with `Z`.
    private func checkTimestampStandard(_ scanner: JSONScanner, _ position: Int) throws(SQLError) {
        let instant: Bool
        switch columnTypes[position] {
        case .timestamp: instant = false
        case .timestampLTZ: instant = true
        default: return
        }
        let bytes = scanner.bytes, at = scanner.index
        guard at < scanner.end, bytes[at] == 0x22 else { return } // null, a number: the general reading decides
        var close = at + 1
        while close < scanner.end, bytes[close] != 0x22 { close += 1 }
        guard close - at > 11 else { return }
        let separator: UInt8 = timestampStandard == .iso8601 ? 0x54 : 0x20
        guard bytes[at + 11] == separator, !instant || bytes[close - 1] == 0x5A else { throw notA(position) }
    }

    /// The error for a field whose value is not of its column's type.
    private func notA(_ position: Int) -> SQLError {
        SQLError(
            .execution,
            "field \"\(String(decoding: physical[position].name, as: UTF8.self))\" is not a \(columnTypes[position])")
    }

    /// TO_TIMESTAMP of the text field at the scanner, read from its bytes when it is a plain
    /// string (as TO_TIMESTAMP would read the string).
    private mutating func parsedTime(_ scanner: inout JSONScanner, _ position: Int) throws(SQLError) -> Value {
        let bytes = scanner.bytes
        // The seeds' form, `"yyyy-MM-dd HH:mm:ss"`, tried at its fixed length first: a quote or
        // backslash inside would fail the parse and go the general way below.
        if scanner.index + 20 < scanner.end, bytes[scanner.index] == 0x22, bytes[scanner.index + 20] == 0x22,
            let micros = dates.parseSecondsTimestamp(bytes.baseAddress! + scanner.index + 1)
        {
            scanner.index += 21
            return .timestamp(micros)
        }
        if scanner.index < scanner.end, bytes[scanner.index] == 0x22 {
            var close = scanner.index + 1
            while close < scanner.end, bytes[close] != 0x22, bytes[close] != 0x5C { close += 1 }
            if close < scanner.end, bytes[close] == 0x22 {
                let text = UnsafeBufferPointer(rebasing: bytes[(scanner.index + 1)..<close])
                scanner.index = close + 1
                // The fixed form was tried above: any other goes to the general parser.
                return CivilTime.parseTimestamp(text).map(Value.timestamp) ?? .null
            }
        }
        guard let text = try Self.jsonValue(&scanner, as: columnTypes[position]) else { throw notA(position) }
        return BuiltinFunction.toTimestamp(text, format: nil)
    }

    /// The column of the field name the scanner is at (after its opening quote), and the name
    /// as text when no column has it (for an error message).
    private func fieldName(
        _ scanner: inout JSONScanner, _ bytes: UnsafeBufferPointer<UInt8>, end: Int, tryingFirst expected: Int
    ) throws(SQLError) -> (Int?, String) {
        let keyStart = scanner.index
        var keyEnd = keyStart
        while keyEnd < end, bytes[keyEnd] != 0x22, bytes[keyEnd] != 0x5C { keyEnd += 1 }
        if keyEnd < end, bytes[keyEnd] == 0x22 {
            scanner.index = keyEnd + 1
            let position = fieldNames.position(
                of: bytes.baseAddress! + keyStart, count: keyEnd - keyStart, tryingFirst: expected)
            return (
                position,
                position == nil
                    ? String(decoding: UnsafeBufferPointer(rebasing: bytes[keyStart..<keyEnd]), as: UTF8.self) : ""
            )
        }
        // A name with escapes.
        guard let escaped = scanner.string() else {
            throw SQLError(.execution, "malformed JSON: unterminated field name")
        }
        return (byName[escaped], escaped)
    }

    /// One JSON value as a column's type, straight from the bytes where it can be.
    static func jsonValue(_ scanner: inout JSONScanner, as type: DataType) throws(SQLError) -> Value? {
        guard scanner.index < scanner.end else { return nil }
        let first = scanner.bytes[scanner.index]
        switch type {
        case .tinyint, .smallint, .int, .bigint:
            guard first == 0x2D || (first >= 0x30 && first <= 0x39) else { break }
            // Integers without a detour through String.
            if let number = scanner.plainInteger() { return ValueParser.fits(number, type) ? .integer(number) : nil }
        case .double, .float:
            guard first == 0x2D || (first >= 0x30 && first <= 0x39) else { break }
            if let value = scanner.plainDecimal() { return .double(value) }
            guard let text = scanner.numberText(), let value = Double(text) else { return nil }
            return .double(value)
        case .varchar where first == 0x22:
            scanner.index += 1
            return scanner.string().map(Value.string)
        default:
            break
        }
        guard let node = scanner.node() else { return nil }
        return node.value(as: type)
    }

    private func decodeCSV(
        _ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, into row: inout Row, options: CSVOptions
    ) throws(SQLError) {
        let fields = try options.fields(bytes, start, end)
        // More fields than columns fail the record; fewer leave the last columns NULL (as Flink's
        // CSV reader). With csv.ignore-parse-errors a field that does not parse is NULL.
        guard fields.count <= physical.count else {
            throw SQLError(.execution, "\(fields.count) CSV fields, the table has \(physical.count) physical columns")
        }
        for (position, column) in physical.enumerated() {
            guard position < fields.count, let text = fields[position] else { continue } // missing, or the null literal
            do throws(SQLError) {
                try decodeCSVField(text, position: position, column: column, into: &row, options: options)
            } catch  where ignoreErrors {
                row[column.index] = .null
            }
        }
    }

    private func decodeCSVField(
        _ text: String, position: Int, column: (index: Int, name: [UInt8], type: DataType), into row: inout Row,
        options: CSVOptions
    ) throws(SQLError) {
        if case let .array(element) = column.type {
            // csv.array-element-delimiter between the elements; an empty field is an empty array.
            var elements: [Value] = []
            if !text.isEmpty {
                for part in text.components(separatedBy: options.arrayDelimiter) {
                    guard let value = ValueParser.parse(part, as: element) else {
                        throw SQLError(
                            .execution, "field \(position + 1) ('\(text)'): element '\(part)' is not a \(element)")
                    }
                    elements.append(value)
                }
            }
            row[column.index] = .array(elements)
            return
        }
        guard let value = ValueParser.parse(text, as: column.type) else {
            throw SQLError(.execution, "field \(position + 1) ('\(text)') is not a \(column.type)")
        }
        row[column.index] = value
    }
}
