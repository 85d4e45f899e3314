import SQLSyntax
import SQLValues

/// Where a query's rows leave the engine: what a connector makes to write a table. Called
/// on the query's thread, one call at a time.
package protocol Sink: AnyObject {
    /// Rows, each with its kind (nil: all insertions).
    func write(_ rows: [Row], kinds: [RowKind]?) throws(SQLError)
    /// Event time has passed `time`: a sink that waits for acknowledgements may do so now.
    func watermark(_ time: Int64) throws(SQLError)
    /// A checkpoint is about to be taken: what was given is written.
    func flush() throws(SQLError)
    /// The input ended, or the query was stopped: what is held is written out and let go.
    func finish() throws(SQLError)
}

extension Sink {
    package func watermark(_ time: Int64) throws(SQLError) {}
    package func flush() throws(SQLError) {}
    package func finish() throws(SQLError) {}
}

/// A sink as the last of a query's operators.
package final class SinkOperator: Operator {
    let sink: any Sink

    package init(_ sink: any Sink) {
        self.sink = sink
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) { try sink.write(rows, kinds: kinds) }
    override func watermark(_ time: Int64) throws(SQLError) { try sink.watermark(time) }
    override func finish() throws(SQLError) { try sink.finish() }
    override func close() throws(SQLError) { try sink.finish() }
    override func prepareCheckpoint() throws(SQLError) { try sink.flush() }
}
