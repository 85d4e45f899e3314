import Foundation
import SQLPlanner
import SQLSyntax
import SQLValues

/// A step of a running query. Rows arrive in batches, each with its kinds (nil: all
/// insertions); watermarks say no row with an earlier event time will follow; `finish`
/// says the input ended (after a final watermark). Operators run on one thread, the
/// query's, so they keep their state without locks.
package class Operator {
    /// Where results go.
    var output: Operator?

    func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        try output?.process(rows, kinds: kinds)
    }

    func watermark(_ time: Int64) throws(SQLError) {
        try output?.watermark(time)
    }

    func finish() throws(SQLError) {
        try output?.finish()
    }

    /// The query was stopped before its input ended (Ctrl-C, STOP JOB, a LIMIT reached):
    /// open windows stay unfired — a partial window is not a result — and sinks write out
    /// what they hold and let go.
    func close() throws(SQLError) {
        try output?.close()
    }

    /// A checkpoint is about to be taken: sinks make sure what they were given is written.
    func prepareCheckpoint() throws(SQLError) {
        try output?.prepareCheckpoint()
    }

    /// Statistics for the job status and EXPLAIN ANALYZE-style reports.
    var statistics: [String: Int64] { [:] }
}

/// Keeps some rows (WHERE, HAVING).
package final class FilterOperator: Operator {
    let predicate: CompiledExpression

    init(_ predicate: CompiledExpression) {
        self.predicate = predicate
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        var kept: [Row] = []
        var keptKinds: [RowKind]? = kinds == nil ? nil : []
        kept.reserveCapacity(rows.count)
        for (position, row) in rows.enumerated() where try predicate.evaluate(row).isTrue {
            kept.append(row)
            keptKinds?.append(kinds![position])
        }
        if !kept.isEmpty { try output?.process(kept, kinds: keptKinds) }
    }
}

/// Computes each output column from the input row.
package final class ProjectOperator: Operator {
    let expressions: [CompiledExpression]

    init(_ expressions: [CompiledExpression]) {
        self.expressions = expressions
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        var result: [Row] = []
        result.reserveCapacity(rows.count)
        for row in rows {
            var projected: Row = []
            projected.reserveCapacity(expressions.count)
            for expression in expressions { projected.append(try expression.evaluate(row)) }
            result.append(projected)
        }
        try output?.process(result, kinds: kinds)
    }
}
