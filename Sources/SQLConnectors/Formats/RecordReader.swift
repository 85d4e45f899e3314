import Foundation
import SQLPlanner
import SQLSyntax
import SQLValues

/// A table's record format on its own, apart from sources, operators and batches: what
/// `WeirBench json` measures as the speed of field extraction (the bytes of records in
/// memory turned into a row's values).
package struct RecordReader {
    private var format: RecordFormat
    private let table: CatalogTable
    private var row: Row

    /// The reader of `table` that decodes the columns named in `reading` (nil: every
    /// column) as a query reading them would: other fields skipped, a `TO_TIMESTAMP(text)`
    /// column's text parsed straight into it.
    package init(table: CatalogTable, reading: [String]?) throws(SQLError) {
        var columns: Set<Int>?
        if let reading {
            columns = []
            for name in reading {
                guard let index = table.schema.index(of: name) else {
                    throw SQLError(.plan, "table \(table.name) has no column \(name)")
                }
                columns!.insert(index)
            }
        }
        self.table = table
        format = try RecordFormat(table: table, scan: ScanColumns(table: table, queryReads: columns))
        row = Array(repeating: .null, count: table.schema.columns.count)
    }

    /// Decodes each line of `lines` (newline-separated records) into the one row, emptied
    /// between records; returns how many records were decoded and the non-NULL values of the
    /// last, so that the work cannot be skipped.
    package mutating func decode(lines: UnsafeBufferPointer<UInt8>) throws(SQLError) -> (records: Int, values: Int) {
        var records = 0
        var start = 0
        while start < lines.count {
            // As the file source reads lines: by the learned shape, else found by memchr and decoded.
            row.empty()
            if let end = format.decodeLine(lines, from: start, into: &row) {
                records += 1
                start = end + 1
                continue
            }
            let end =
                memchr(lines.baseAddress! + start, 0x0A, lines.count - start).map {
                    UnsafeRawPointer(lines.baseAddress!).distance(to: $0)
                } ?? lines.count
            if end > start, try format.decode(lines, start, end, into: &row, table: table) { records += 1 }
            start = end + 1
        }
        return (records, row.count { !$0.isNull })
    }
}
