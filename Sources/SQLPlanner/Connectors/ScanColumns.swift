/// What a scan decodes of its table's records: the columns anything reads — the query, the
/// computed columns, the watermark — and the event times parsed straight from their text.
package struct ScanColumns {
    /// The table's columns read (nil: all of them); a format skips the other fields.
    package let reading: Set<Int>?
    /// Text column → computed column, for a computed `TO_TIMESTAMP(text)` whose text nothing
    /// else reads: the format parses the field's bytes into the computed column, with no
    /// string made per record only to be parsed.
    package let parsedTimes: [Int: Int]

    package static let all = ScanColumns(reading: nil, parsedTimes: [:])

    private init(reading: Set<Int>?, parsedTimes: [Int: Int]) {
        self.reading = reading
        self.parsedTimes = parsedTimes
    }

    /// `queryReads`: the table's columns the query reads (nil: all).
    package init(table: CatalogTable, queryReads: Set<Int>?) {
        guard var reading = queryReads else {
            self = .all
            return
        }
        // The text columns of TO_TIMESTAMP(text) computed columns, and what else is read.
        var times: [Int: Int] = [:]
        var otherwise = reading
        for (index, expression) in table.computed {
            if let text = Self.timestampText(expression, table: table), times[text] == nil {
                times[text] = index
            } else {
                expression.collectColumns(into: &otherwise)
            }
        }
        table.watermark?.expression.collectColumns(into: &otherwise)
        reading = otherwise.union(times.keys)
        self.reading = reading
        parsedTimes = times.filter { !otherwise.contains($0.key) }
    }

    /// The same for a format that decodes only `columns` (a Kafka value without its key's
    /// fields): an event time whose text another format decodes is computed as usual.
    package func decoded(by columns: [Int]) -> ScanColumns {
        ScanColumns(reading: reading, parsedTimes: parsedTimes.filter { columns.contains($0.key) })
    }

    /// The column of `TO_TIMESTAMP(column)` in the default format, when the column is the table's own text.
    private static func timestampText(_ expression: CompiledExpression, table: CatalogTable) -> Int? {
        guard case let .call(.toTimestamp(format), arguments) = expression,
            format == nil || format == "yyyy-MM-dd HH:mm:ss",
            arguments.count == 1, case let .column(text) = arguments[0], table.physical.contains(text)
        else { return nil }
        switch table.schema.columns[text].type {
        case .varchar, .char: return text
        default: return nil
        }
    }
}
