import SQLPlanner
import SQLSyntax
import SQLValues

/// The rows a join keeps of its two inputs (side 0 the left, 1 the right), grouped by the
/// columns its ON condition equates (all in one group without such columns), oldest first —
/// and how a row of one side pairs with the other side's rows kept so far. Shared by the
/// regular, the time-bound and the filtering joins, which differ in what they keep and when
/// they let go.
struct JoinState {
    struct Kept {
        var row: Row
        /// The other side's rows it has been paired with.
        var matches: Int
        /// When it was kept (or, on an outer side, last paired): processing time, for the state's TTL.
        var written: Int64 = 0
    }

    /// One key's rows of one side, oldest first; rows expired by time leave from the front.
    struct KeptRows {
        var rows: [Kept] = []
        var head = 0

        var count: Int { rows.count - head }
        var live: ArraySlice<Kept> { rows[head...] }
    }

    let predicate: CompiledExpression?
    let keys: [[Int]]
    let widths: [Int]
    /// Per side: key → the rows with it.
    var kept: [[Row: KeptRows]] = [[:], [:]]

    init(predicate: CompiledExpression?, leftKeys: [Int], rightKeys: [Int], widths: (left: Int, right: Int)) {
        self.predicate = predicate
        keys = [leftKeys, rightKeys]
        self.widths = [widths.left, widths.right]
    }

    func key(of row: Row, side: Int) -> Row { keys[side].map { row[$0] } }

    var rowCount: Int { kept.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.count } } }

    mutating func keep(_ row: Row, key: Row, side: Int, matches: Int = 0, written: Int64 = 0) {
        kept[side][key, default: KeptRows()].rows.append(Kept(row: row, matches: matches, written: written))
    }

    /// Pairs `row` of `side` with the other side's kept rows of its key that satisfy the
    /// condition, each pair into `output`; returns how many. An outer other side's row paired
    /// for the first time was emitted alone, padded with NULLs: with `retractingPadding`, that
    /// row is taken back first. `now` is when the pairing happened (an outer row's count of
    /// matches is state it writes, as Flink's; an inner row's is not kept).
    mutating func pair(
        _ row: Row, key: Row, from side: Int, otherIsOuter: Bool, retractingPadding: Bool, now: Int64,
        into output: inout JoinOutput
    ) throws(SQLError) -> Int {
        let other = 1 - side
        guard let candidates = kept[other][key] else { return 0 }
        var matched = 0
        for index in candidates.head..<candidates.rows.count {
            let match = candidates.rows[index]
            let pair = side == 0 ? row + match.row : match.row + row
            if let predicate, try !predicate.evaluate(pair).isTrue { continue }
            matched += 1
            if retractingPadding, match.matches == 0 { output.delete(padded(match.row, side: other)) }
            kept[other][key]!.rows[index].matches += 1
            if otherIsOuter { kept[other][key]!.rows[index].written = now }
            output.insert(pair)
        }
        return matched
    }

    /// Whether a left row has a match among the kept right rows (the condition true, or none).
    func hasMatch(_ row: Row, key: Row) throws(SQLError) -> Bool {
        guard let candidates = kept[1][key] else { return false }
        for match in candidates.live where try predicate?.evaluate(row + match.row).isTrue ?? true { return true }
        return false
    }

    /// The kept left rows a right row matches, taken out of the state.
    mutating func takeMatches(of row: Row, key: Row) throws(SQLError) -> [Row] {
        guard let waiting = kept[0][key] else { return [] }
        var matched: [Row] = []
        var still: [Kept] = []
        for left in waiting.live {
            if try predicate?.evaluate(left.row + row).isTrue ?? true {
                matched.append(left.row)
            } else {
                still.append(left)
            }
        }
        kept[0][key] = still.isEmpty ? nil : KeptRows(rows: still)
        return matched
    }

    /// A row of one side with NULLs for the other's columns.
    func padded(_ row: Row, side: Int) -> Row {
        let nulls = Row(repeating: .null, count: widths[1 - side])
        return side == 0 ? row + nulls : nulls + row
    }

    /// Drops the rows not written for the state's TTL (with a TTL, at most every quarter of it);
    /// returns the processing time of the batch at hand (0 without a TTL).
    mutating func dropExpiredRows(_ timeToLive: inout StateTimeToLive?) -> Int64 {
        guard let (now, sweep) = timeToLive?.tick() else { return 0 }
        guard sweep, let timeToLive else { return now }
        for side in 0..<2 {
            for (key, rows) in kept[side] {
                let live = rows.live.filter { !timeToLive.hasExpired($0.written, at: now) }
                if live.count != rows.count { kept[side][key] = live.isEmpty ? nil : KeptRows(rows: Array(live)) }
            }
        }
        return now
    }
}

/// What a join emits for one batch of an input: rows with their kinds.
struct JoinOutput {
    private(set) var rows: [Row] = []
    private(set) var kinds: [RowKind] = []
    private var takesBack = false

    mutating func insert(_ row: Row) {
        rows.append(row)
        kinds.append(.insert)
    }

    mutating func delete(_ row: Row) {
        rows.append(row)
        kinds.append(.delete)
        takesBack = true
    }

    /// Sends the rows on: insertions only unless a row was taken back.
    func emit(to output: Operator?) throws(SQLError) {
        guard !rows.isEmpty else { return }
        try output?.process(rows, kinds: takesBack ? kinds : nil)
    }
}

/// Joins read insertions only.
func refuseUpdates(_ kinds: [RowKind]?) throws(SQLError) {
    if let kinds, kinds.contains(where: { $0 != .insert }) {
        throw SQLError(.unsupported, "a join reads insertions only, and one of its inputs updates rows")
    }
}
