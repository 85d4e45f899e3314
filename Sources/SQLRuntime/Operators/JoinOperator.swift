import SQLPlanner
import SQLSyntax
import SQLValues

/// A join of two inputs of insertions. Each side's rows are kept, grouped by the columns the
/// ON condition equates (all in one group without such columns), and a row from one side is
/// joined with the other side's rows kept so far that satisfy the condition — so every pair
/// is emitted once, when its later row arrives.
///
/// A regular join keeps every row, as Flink's does without a state TTL (with one, a row not
/// written for that long is dropped: written when kept, and an outer side's row each time it
/// pairs). An outer side's row
/// with no match yet is emitted padded with NULLs; when its first match arrives, that row is
/// taken back (-D) before the pair (+I): the output is then a changelog.
///
/// An interval or a window join (`JoinExpiry`) drops a row once the watermark shows that no
/// row to come can pair with it (past its bounds, or its window's end), and emits an outer
/// side's unmatched row padded with NULLs then: its output holds insertions only, and an
/// interval join's watermark is held back by its bounds.
/// Rows expire in the order they arrived (a row whose bounds close early waits behind an
/// earlier one that closes later): with inputs in rough order of time, a short wait.
///
/// A semi join (`x IN (SELECT …)`, EXISTS) emits a left row, left columns only, once it has a
/// match: at once when the right side has one already, else when the first arrives (then it
/// is no longer kept); its output holds insertions only. An anti join (NOT EXISTS) emits a
/// left row with no match at once, and takes it back (-D) when its first match arrives.
package final class JoinOperator: MultiInputOperator {
    private struct Kept {
        var row: Row
        /// The other side's rows it has been paired with.
        var matches: Int
        /// When it was kept (or, on an outer side, last paired): processing time, for the state's TTL.
        var written: Int64 = 0
    }

    /// One key's rows of one side, oldest first; expired rows leave from the front.
    private struct KeptRows {
        var rows: [Kept] = []
        var head = 0

        var count: Int { rows.count - head }
    }

    private let predicate: CompiledExpression?
    private let keys: [[Int]]
    /// Per side: whether its unmatched rows are emitted (LEFT: the left side, FULL: both).
    private let outer: [Bool]
    private let widths: [Int]
    private let expiry: JoinExpiry?
    private let filtering: FilteringJoin?
    /// NOT IN: right rows seen, whether one was NULL, and the emitted left rows whose operand is NULL.
    private var rightRows = 0
    private var rightHasNull = false
    private var nullOperandRows: [Row] = []
    /// Per side: key → the rows with it.
    private var kept: [[Row: KeptRows]] = [[:], [:]]
    /// Per side, when rows expire: each kept row's key and the watermark at which it
    /// expires, in the order the rows arrived.
    private var expiries: [[(at: Int64, key: Row)]] = [[], []]
    private var expired = [0, 0]
    private var watermark = Int64.min
    /// Rows of a regular join (or IN / EXISTS) not written for this long are dropped.
    private var timeToLive: StateTimeToLive?
    /// The processing time of the batch at hand (with a TTL).
    private var now: Int64 = 0

    init(
        predicate: CompiledExpression?, leftKeys: [Int], rightKeys: [Int], outer: (left: Bool, right: Bool),
        expiry: JoinExpiry? = nil,
        filtering: FilteringJoin? = nil, widths: (left: Int, right: Int), timeToLive: StateTimeToLive? = nil
    ) {
        self.filtering = filtering
        self.predicate = predicate
        keys = [leftKeys, rightKeys]
        self.outer = [outer.left, outer.right]
        self.expiry = expiry
        self.widths = [widths.left, widths.right]
        // Interval and window joins drop rows by event time already; NOT IN's answers hang on every row seen.
        var notIn = false
        if case .notIn = filtering { notIn = true }
        self.timeToLive = expiry == nil && !notIn ? timeToLive : nil
        super.init(inputs: 2)
    }

    /// Drops the rows whose TTL has passed (with a TTL, at most every quarter of it).
    private func dropExpiredRows() {
        guard let (now, sweep) = timeToLive?.tick() else { return }
        self.now = now
        guard sweep, let timeToLive else { return }
        for side in 0..<2 {
            for (key, rows) in kept[side] {
                let live = rows.rows[rows.head...].filter { !timeToLive.hasExpired($0.written, at: now) }
                if live.count != rows.count { kept[side][key] = live.isEmpty ? nil : KeptRows(rows: Array(live)) }
            }
        }
    }

    override var statistics: [String: Int64] {
        ["rows kept by joins": Int64(kept.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.count } })]
    }

    /// Rows of side 0 (left) or 1 (right).
    override func process(_ rows: [Row], kinds: [RowKind]?, from side: Int) throws(SQLError) {
        if let kinds, kinds.contains(where: { $0 != .insert }) {
            throw SQLError(.unsupported, "a join reads insertions only, and one of its inputs updates rows")
        }
        dropExpiredRows()
        let other = 1 - side
        var result: [Row] = []
        var resultKinds: [RowKind] = []
        for row in rows {
            let key = keys[side].map { row[$0] }
            if let filtering {
                try filter(row, key: key, from: side, filtering, into: &result, kinds: &resultKinds)
                continue
            }
            var matched = 0
            if let candidates = kept[other][key] {
                for index in candidates.head..<candidates.rows.count {
                    let match = candidates.rows[index]
                    let pair = side == 0 ? row + match.row : match.row + row
                    if let predicate, try !predicate.evaluate(pair).isTrue { continue }
                    matched += 1
                    if expiry == nil, outer[other], match.matches == 0 {
                        // It was emitted alone, padded with NULLs: no longer.
                        result.append(padded(match.row, side: other))
                        resultKinds.append(.delete)
                    }
                    kept[other][key]!.rows[index].matches += 1
                    // An outer row's count of matches is state it writes (as Flink's); an inner row's is not kept.
                    if outer[other] { kept[other][key]!.rows[index].written = now }
                    result.append(pair)
                    resultKinds.append(.insert)
                }
            }
            if let rule = expiry {
                // Kept until no row to come can pair with it; one already past that (or
                // without an event time) is not kept, and an outer one unmatched is emitted now.
                let expiry = rule.expiry(of: row, side: side)
                guard let expiry, expiry > watermark else {
                    if outer[side], matched == 0 {
                        result.append(padded(row, side: side))
                        resultKinds.append(.insert)
                    }
                    continue
                }
                expiries[side].append((expiry, key))
            } else if outer[side], matched == 0 {
                result.append(padded(row, side: side))
                resultKinds.append(.insert)
            }
            kept[side][key, default: KeptRows()].rows.append(Kept(row: row, matches: matched, written: now))
        }
        guard !result.isEmpty else { return }
        try output?.process(result, kinds: resultKinds.contains(.delete) ? resultKinds : nil)
    }

    /// A row of a semi or anti join. A left row with a match among the kept right rows is
    /// emitted (semi) or not (anti); without one it is kept, and an anti join emits it. A right
    /// row is kept, and the kept left rows it matches leave the state: emitted (semi) or taken
    /// back (anti).
    private func filter(
        _ row: Row, key: Row, from side: Int, _ filtering: FilteringJoin,
        into result: inout [Row], kinds: inout [RowKind]
    ) throws(SQLError) {
        if case let .notIn(operand) = filtering {
            try notIn(row, key: key, from: side, operand: operand, into: &result, kinds: &kinds)
            return
        }
        if side == 0 {
            let matched = try hasMatch(row, key: key)
            if !matched { kept[0][key, default: KeptRows()].rows.append(Kept(row: row, matches: 0, written: now)) }
            if matched == filtering.emitsMatched {
                result.append(row)
                kinds.append(.insert)
            }
            return
        }
        kept[1][key, default: KeptRows()].rows.append(Kept(row: row, matches: 0, written: now))
        for left in try takeMatches(of: row, key: key) {
            result.append(left)
            kinds.append(filtering.emitsMatched ? .insert : .delete)
        }
    }

    /// Whether a left row has a match among the kept right rows (the condition true, or none).
    private func hasMatch(_ row: Row, key: Row) throws(SQLError) -> Bool {
        guard let candidates = kept[1][key] else { return false }
        for match in candidates.rows[candidates.head...] where try predicate?.evaluate(row + match.row).isTrue ?? true {
            return true
        }
        return false
    }

    /// The kept left rows a right row matches, taken out of the state.
    private func takeMatches(of row: Row, key: Row) throws(SQLError) -> [Row] {
        guard let waiting = kept[0][key] else { return [] }
        var matched: [Row] = [], still: [Kept] = []
        for left in waiting.rows[waiting.head...] {
            if try predicate?.evaluate(left.row + row).isTrue ?? true {
                matched.append(left.row)
            } else {
                still.append(left)
            }
        }
        kept[0][key] = still.isEmpty ? nil : KeptRows(rows: still)
        return matched
    }

    /// A row of `x NOT IN (SELECT y …)`. A left row is emitted (and kept, to take back) while
    /// its answer is TRUE: no y equals x, no y is NULL — and for a NULL x, no y at all. A right
    /// row takes back the rows it makes FALSE or unknown.
    private func notIn(
        _ row: Row, key: Row, from side: Int, operand: CompiledExpression,
        into result: inout [Row], kinds: inout [RowKind]
    ) throws(SQLError) {
        func takeBack(_ rows: [Row]) {
            result += rows
            kinds += Array(repeating: .delete, count: rows.count)
        }
        if side == 0 {
            guard !rightHasNull else { return }
            if try operand.evaluate(row).isNull {
                guard rightRows == 0 else { return }
                nullOperandRows.append(row)
            } else {
                guard try !hasMatch(row, key: key) else { return }
                kept[0][key, default: KeptRows()].rows.append(Kept(row: row, matches: 0))
            }
            result.append(row)
            kinds.append(.insert)
            return
        }
        rightRows += 1
        takeBack(nullOperandRows)
        nullOperandRows = []
        guard !rightHasNull else { return }
        if row[0].isNull {
            // Every answer is now unknown, and stays so.
            rightHasNull = true
            takeBack(kept[0].values.flatMap { $0.rows[$0.head...].map(\.row) })
            kept = [[:], [:]]
            return
        }
        kept[1][key, default: KeptRows()].rows.append(Kept(row: row, matches: 0))
        takeBack(try takeMatches(of: row, key: key))
    }

    /// Drops the rows that expire by `time`, emitting an outer side's unmatched ones.
    private func expire(upTo time: Int64) throws(SQLError) {
        var padding: [Row] = []
        for side in 0..<2 {
            while expired[side] < expiries[side].count, expiries[side][expired[side]].at <= time {
                let key = expiries[side][expired[side]].key
                expired[side] += 1
                guard var rows = kept[side].removeValue(forKey: key) else { continue }
                if outer[side], rows.rows[rows.head].matches == 0 {
                    padding.append(padded(rows.rows[rows.head].row, side: side))
                }
                rows.head += 1
                if rows.count > 0 {
                    if rows.head >= 32, rows.head * 2 >= rows.rows.count {
                        rows.rows.removeFirst(rows.head)
                        rows.head = 0
                    }
                    kept[side][key] = rows
                }
            }
            if expired[side] >= 1024, expired[side] * 2 >= expiries[side].count {
                expiries[side].removeFirst(expired[side])
                expired[side] = 0
            }
        }
        if !padding.isEmpty { try output?.process(padding, kinds: nil) }
    }

    /// A row of one side with NULLs for the other's columns.
    private func padded(_ row: Row, side: Int) -> Row {
        let nulls = Row(repeating: .null, count: widths[1 - side])
        return side == 0 ? row + nulls : nulls + row
    }

    override func combinedWatermark(_ combined: Int64) throws(SQLError) {
        watermark = combined
        guard let expiry else {
            try output?.watermark(combined)
            return
        }
        try expire(upTo: combined)
        let delay = expiry.outputDelay
        try output?.watermark(combined == .max ? .max : combined > Int64.min + delay ? combined - delay : .min)
    }
}
