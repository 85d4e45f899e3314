import SQLSyntax
import SQLValues

/// A scalar subquery's rows: the first passes, a second fails the query.
package final class AtMostOneRowOperator: Operator {
    private var seen = 0

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        for (position, _) in rows.enumerated() {
            let kind = kinds?[position] ?? .insert
            seen += kind == .insert || kind == .updateAfter ? 1 : -1
            if seen > 1 { throw SQLError(.execution, "a scalar subquery gave more than one row") }
        }
        try output?.process(rows, kinds: kinds)
    }
}
