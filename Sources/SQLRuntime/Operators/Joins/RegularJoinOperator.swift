import SQLPlanner
import SQLSyntax
import SQLValues

/// A regular join of two inputs of insertions: a row from one side is joined with the other
/// side's rows kept so far that satisfy the condition, so every pair is emitted once, when its
/// later row arrives. Every row is kept, as Flink's join does without a state TTL (with one, a
/// row not written for that long is dropped: written when kept, and an outer side's row each
/// time it pairs).
///
/// An outer side's row with no match yet is emitted padded with NULLs; when its first match
/// arrives, that row is taken back (-D) before the pair (+I): the output is then a changelog.
package final class RegularJoinOperator: MultiInputOperator {
    private var state: JoinState
    /// Per side: whether its unmatched rows are emitted (LEFT: the left side, FULL: both).
    private let outer: [Bool]
    private var timeToLive: StateTimeToLive?

    init(
        predicate: CompiledExpression?, leftKeys: [Int], rightKeys: [Int], outer: (left: Bool, right: Bool),
        widths: (left: Int, right: Int), timeToLive: StateTimeToLive?
    ) {
        state = JoinState(predicate: predicate, leftKeys: leftKeys, rightKeys: rightKeys, widths: widths)
        self.outer = [outer.left, outer.right]
        self.timeToLive = timeToLive
        super.init(inputs: 2)
    }

    override var statistics: [String: Int64] { ["rows kept by joins": Int64(state.rowCount)] }

    /// Rows of side 0 (left) or 1 (right).
    override func process(_ rows: [Row], kinds: [RowKind]?, from side: Int) throws(SQLError) {
        try refuseUpdates(kinds)
        let now = state.dropExpiredRows(&timeToLive)
        let otherIsOuter = outer[1 - side]
        var output = JoinOutput()
        for row in rows {
            let key = state.key(of: row, side: side)
            let matched = try state.pair(
                row, key: key, from: side, otherIsOuter: otherIsOuter, retractingPadding: otherIsOuter, now: now,
                into: &output)
            if outer[side], matched == 0 { output.insert(state.padded(row, side: side)) }
            state.keep(row, key: key, side: side, matches: matched, written: now)
        }
        try output.emit(to: self.output)
    }
}
