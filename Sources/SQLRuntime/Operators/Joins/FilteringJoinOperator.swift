import SQLPlanner
import SQLSyntax
import SQLValues

/// A join that only filters its left input (`FilteringJoin`). A semi join (`x IN (SELECT …)`,
/// EXISTS) emits a left row, left columns only, once it has a match: at once when the right
/// side has one already, else when the first arrives (then it is no longer kept); its output
/// holds insertions only. An anti join (NOT EXISTS) emits a left row with no match at once,
/// and takes it back (-D) when its first match arrives. NOT IN adds SQL's NULLs to the anti join.
package final class FilteringJoinOperator: MultiInputOperator {
    private var state: JoinState
    private let filtering: FilteringJoin
    /// Rows not written for this long are dropped (not for NOT IN, whose answers hang on every row seen).
    private var timeToLive: StateTimeToLive?
    /// NOT IN: right rows seen, whether one was NULL, and the emitted left rows whose operand is NULL.
    private var rightRows = 0
    private var rightHasNull = false
    private var nullOperandRows: [Row] = []

    init(
        predicate: CompiledExpression?, leftKeys: [Int], rightKeys: [Int], filtering: FilteringJoin,
        widths: (left: Int, right: Int), timeToLive: StateTimeToLive?
    ) {
        state = JoinState(predicate: predicate, leftKeys: leftKeys, rightKeys: rightKeys, widths: widths)
        self.filtering = filtering
        self.timeToLive = if case .notIn = filtering { nil } else { timeToLive }
        super.init(inputs: 2)
    }

    override var statistics: [String: Int64] { ["rows kept by joins": Int64(state.rowCount)] }

    /// A left row with a match among the kept right rows is emitted (semi) or not (anti);
    /// without one it is kept, and an anti join emits it. A right row is kept, and the kept left
    /// rows it matches leave the state: emitted (semi) or taken back (anti).
    override func process(_ rows: [Row], kinds: [RowKind]?, from side: Int) throws(SQLError) {
        try refuseUpdates(kinds)
        let now = state.dropExpiredRows(&timeToLive)
        var output = JoinOutput()
        for row in rows {
            let key = state.key(of: row, side: side)
            if case let .notIn(operand) = filtering {
                try notIn(row, key: key, from: side, operand: operand, into: &output)
                continue
            }
            if side == 0 {
                let matched = try state.hasMatch(row, key: key)
                if !matched { state.keep(row, key: key, side: 0, written: now) }
                if matched == filtering.emitsMatched { output.insert(row) }
                continue
            }
            state.keep(row, key: key, side: 1, written: now)
            for left in try state.takeMatches(of: row, key: key) {
                if filtering.emitsMatched { output.insert(left) } else { output.delete(left) }
            }
        }
        try output.emit(to: self.output)
    }

    /// A row of `x NOT IN (SELECT y …)`. A left row is emitted (and kept, to take back) while
    /// its answer is TRUE: no y equals x, no y is NULL — and for a NULL x, no y at all. A right
    /// row takes back the rows it makes FALSE or unknown.
    private func notIn(
        _ row: Row, key: Row, from side: Int, operand: CompiledExpression, into output: inout JoinOutput
    ) throws(SQLError) {
        if side == 0 {
            guard !rightHasNull else { return }
            if try operand.evaluate(row).isNull {
                guard rightRows == 0 else { return }
                nullOperandRows.append(row)
            } else {
                guard try !state.hasMatch(row, key: key) else { return }
                state.keep(row, key: key, side: 0)
            }
            output.insert(row)
            return
        }
        rightRows += 1
        for row in nullOperandRows { output.delete(row) }
        nullOperandRows = []
        guard !rightHasNull else { return }
        if row[0].isNull {
            // Every answer is now unknown, and stays so.
            rightHasNull = true
            for rows in state.kept[0].values {
                for left in rows.live { output.delete(left.row) }
            }
            state.kept = [[:], [:]]
            return
        }
        state.keep(row, key: key, side: 1)
        for left in try state.takeMatches(of: row, key: key) { output.delete(left) }
    }
}
