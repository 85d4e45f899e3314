import Foundation
import SQLSyntax
import SQLValues
import Synchronization

/// Where a query's results go when someone is watching: rows are handed to a writer as
/// they come (the CLI prints them; the workbench will draw them).
public protocol ResultWriter: AnyObject {
    /// A query begins: its columns, and whether its rows are a changelog (+I, -U, +U, -D).
    func begin(columns: [Column], changelog: Bool)
    func rows(_ rows: [Row], kinds: [RowKind]?)
    /// The query ended: what its operators counted (late rows, skipped records).
    func end(statistics: [String: Int64])
    /// A statement that returns no rows reports what it did ("table created").
    func message(_ text: String)
}

/// A writer called from several threads (the sources of a query running at once, with
/// their notes), one call at a time.
package final class SerializedWriter: ResultWriter {
    private let writer: ResultWriter
    private let turn = Mutex(())

    package init(_ writer: ResultWriter) {
        self.writer = writer
    }

    package func begin(columns: [Column], changelog: Bool) {
        turn.withLock { _ in writer.begin(columns: columns, changelog: changelog) }
    }

    package func rows(_ rows: [Row], kinds: [RowKind]?) {
        turn.withLock { _ in writer.rows(rows, kinds: kinds) }
    }

    package func end(statistics: [String: Int64]) {
        turn.withLock { _ in writer.end(statistics: statistics) }
    }

    package func message(_ text: String) {
        turn.withLock { _ in writer.message(text) }
    }
}

package final class CollectSink: Operator {
    let writer: ResultWriter

    package init(writer: ResultWriter) {
        self.writer = writer
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) { writer.rows(rows, kinds: kinds) }
    override func watermark(_ time: Int64) throws(SQLError) {}
    override func finish() throws(SQLError) {}
}
