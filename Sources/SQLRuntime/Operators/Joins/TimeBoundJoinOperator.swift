import SQLPlanner
import SQLSyntax
import SQLValues

/// An interval or a window join (`JoinExpiry`): pairs rows as a regular join does, and drops a
/// row once the watermark shows that no row to come can pair with it (past its bounds, or its
/// window's end), emitting an outer side's unmatched row padded with NULLs then: its output
/// holds insertions only, and an interval join's watermark is held back by its bounds.
///
/// Rows expire in the order they arrived (a row whose bounds close early waits behind an
/// earlier one that closes later): with inputs in rough order of time, a short wait.
package final class TimeBoundJoinOperator: MultiInputOperator {
    private var state: JoinState
    private let outer: [Bool]
    private let rule: JoinExpiry
    /// Per side: each kept row's key and the watermark at which it expires, in the order the
    /// rows arrived; `expired` of them are gone.
    private var expiries: [[(at: Int64, key: Row)]] = [[], []]
    private var expired = [0, 0]
    private var watermark = Int64.min

    init(
        predicate: CompiledExpression?, leftKeys: [Int], rightKeys: [Int], outer: (left: Bool, right: Bool),
        expiry: JoinExpiry, widths: (left: Int, right: Int)
    ) {
        state = JoinState(predicate: predicate, leftKeys: leftKeys, rightKeys: rightKeys, widths: widths)
        self.outer = [outer.left, outer.right]
        rule = expiry
        super.init(inputs: 2)
    }

    override var statistics: [String: Int64] { ["rows kept by joins": Int64(state.rowCount)] }

    override func process(_ rows: [Row], kinds: [RowKind]?, from side: Int) throws(SQLError) {
        try refuseUpdates(kinds)
        var output = JoinOutput()
        for row in rows {
            let key = state.key(of: row, side: side)
            let matched = try state.pair(
                row, key: key, from: side, otherIsOuter: outer[1 - side], retractingPadding: false, now: 0,
                into: &output)
            // Kept until no row to come can pair with it; one already past that (or without an
            // event time) is not kept, and an outer one unmatched is emitted now.
            guard let expiry = rule.expiry(of: row, side: side), expiry > watermark else {
                if outer[side], matched == 0 { output.insert(state.padded(row, side: side)) }
                continue
            }
            expiries[side].append((expiry, key))
            state.keep(row, key: key, side: side, matches: matched)
        }
        try output.emit(to: self.output)
    }

    /// Drops the rows that expire by `time`, emitting an outer side's unmatched ones.
    private func expire(upTo time: Int64) throws(SQLError) {
        var padding: [Row] = []
        for side in 0..<2 {
            while expired[side] < expiries[side].count, expiries[side][expired[side]].at <= time {
                let key = expiries[side][expired[side]].key
                expired[side] += 1
                guard var rows = state.kept[side].removeValue(forKey: key) else { continue }
                if outer[side], rows.rows[rows.head].matches == 0 {
                    padding.append(state.padded(rows.rows[rows.head].row, side: side))
                }
                rows.head += 1
                if rows.count > 0 {
                    if rows.head >= 32, rows.head * 2 >= rows.rows.count {
                        rows.rows.removeFirst(rows.head)
                        rows.head = 0
                    }
                    state.kept[side][key] = rows
                }
            }
            if expired[side] >= 1024, expired[side] * 2 >= expiries[side].count {
                expiries[side].removeFirst(expired[side])
                expired[side] = 0
            }
        }
        if !padding.isEmpty { try output?.process(padding, kinds: nil) }
    }

    override func combinedWatermark(_ combined: Int64) throws(SQLError) {
        watermark = combined
        try expire(upTo: combined)
        let delay = rule.outputDelay
        try output?.watermark(combined == .max ? .max : combined > Int64.min + delay ? combined - delay : .min)
    }
}
