import Foundation
import SQLPlanner
import SQLSyntax
import SQLValues

/// Sorts a bounded input at its end.
package final class SortOperator: Operator {
    let keys: [(expression: CompiledExpression, descending: Bool, nullsFirst: Bool)]
    private var rows: [(key: [Value], row: Row)] = []
    /// Rows a changelog input took back (-U, -D): they leave the result at the end, so what is
    /// sorted is the table the changes amount to, and the output holds insertions only.
    private var takenBack: [Row: Int] = [:]

    init(_ keys: [(expression: CompiledExpression, descending: Bool, nullsFirst: Bool)]) {
        self.keys = keys
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        for (position, row) in rows.enumerated() {
            if let kind = kinds?[position], kind == .updateBefore || kind == .delete {
                takenBack[row, default: 0] += 1
                continue
            }
            var key: [Value] = []
            for entry in keys { key.append(try entry.expression.evaluate(row)) }
            self.rows.append((key, row))
        }
    }

    override func watermark(_ time: Int64) throws(SQLError) {}

    override func finish() throws(SQLError) {
        if !takenBack.isEmpty {
            rows.removeAll { entry in
                guard let count = takenBack[entry.row], count > 0 else { return false }
                takenBack[entry.row] = count - 1
                return true
            }
            takenBack = [:]
        }
        let keys = self.keys
        rows.sort { a, b in SortOrder.precedes(a.key, b.key, keys) }
        if !rows.isEmpty { try output?.process(rows.map(\.row), kinds: nil) }
        rows = []
        try output?.finish()
    }
}

/// The first `count` rows after `offset`; asks its source to stop once it has them.
package final class LimitOperator: Operator, StatefulOperator {
    let count: Int
    let offset: Int
    private var seen = 0
    private var done = false
    let stop: StopSignal

    init(count: Int, offset: Int, stop: StopSignal) {
        self.count = count
        self.offset = offset
        self.stop = stop
    }

    package func saveState(_ encoder: JSONEncoder) throws -> Data { try encoder.encode([seen]) }
    package func restoreState(_ data: Data, _ decoder: JSONDecoder) throws {
        seen = try decoder.decode([Int].self, from: data)[0]
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        guard !done else { return }
        var kept: [Row] = []
        for row in rows {
            seen += 1
            if seen > offset, seen - offset <= count { kept.append(row) }
        }
        if !kept.isEmpty { try output?.process(kept, kinds: nil) }
        if seen - offset >= count, count != Int.max {
            done = true
            stop.request()
        }
    }
}

/// ORDER BY's comparison of sort keys (the values of its expressions for two rows).
package enum SortOrder {
    /// Whether key `a` comes before `b`: column by column, each ascending or descending, NULLs
    /// first or last as the column says; false for equal keys (a stable sort keeps their order).
    static func precedes(
        _ a: [Value], _ b: [Value], _ order: [(expression: CompiledExpression, descending: Bool, nullsFirst: Bool)]
    ) -> Bool {
        for (position, entry) in order.enumerated() {
            let x = a[position], y = b[position]
            if x.isNull || y.isNull {
                if x.isNull && y.isNull { continue }
                return x.isNull == entry.nullsFirst
            }
            guard let comparison = CompiledExpression.compare(x, y), comparison != 0 else { continue }
            return entry.descending ? comparison > 0 : comparison < 0
        }
        return false
    }
}
