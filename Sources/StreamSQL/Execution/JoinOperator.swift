import SQLSyntax

/// A regular join of two inputs of insertions. Each side's rows are kept, grouped by the
/// columns the ON condition equates (all in one group without such columns), and a row
/// from one side is joined with the other side's rows kept so far that satisfy the
/// condition — so every pair is emitted once, when its later row arrives. Like Flink's
/// without a state TTL, the state grows with the inputs.
final class JoinOperator: Operator {
    private let predicate: CompiledExpression?
    private let keys: [[Int]]
    /// Per side: key → the rows with it.
    private var kept: [[Row: [Row]]] = [[:], [:]]
    private var watermarks = [Int64.min, Int64.min]
    private var emitted = Int64.min
    private var ended = 0
    private var closed = 0

    init(predicate: CompiledExpression?, leftKeys: [Int], rightKeys: [Int]) {
        self.predicate = predicate
        keys = [leftKeys, rightKeys]
    }

    /// The operator side 0 (left) or 1 (right) feeds.
    func input(_ side: Int) -> Operator { JoinInput(join: self, side: side) }

    override var statistics: [String: Int64] { ["rows kept by joins": Int64(kept.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.count } })] }

    fileprivate func process(_ rows: [Row], kinds: [RowKind]?, from side: Int) throws(SQLError) {
        if let kinds, kinds.contains(where: { $0 != .insert }) {
            throw SQLError(.unsupported, "a join reads insertions only, and one of its inputs updates rows")
        }
        var joined: [Row] = []
        for row in rows {
            let key = keys[side].map { row[$0] }
            kept[side][key, default: []].append(row)
            guard let matches = kept[1 - side][key] else { continue }
            for match in matches {
                let pair = side == 0 ? row + match : match + row
                if let predicate, try !predicate.evaluate(pair).isTrue { continue }
                joined.append(pair)
            }
        }
        if !joined.isEmpty { try output?.process(joined, kinds: nil) }
    }

    fileprivate func watermark(_ time: Int64, from side: Int) throws(SQLError) {
        watermarks[side] = max(watermarks[side], time)
        let combined = watermarks.min()!
        guard combined > emitted else { return }
        emitted = combined
        try output?.watermark(combined)
    }

    fileprivate func end(closing: Bool) throws(SQLError) {
        if closing { closed += 1 } else { ended += 1 }
        guard ended + closed == 2 else { return }
        if closed > 0 { try output?.close() } else { try output?.finish() }
    }
}

private final class JoinInput: Operator {
    unowned let join: JoinOperator
    let side: Int

    init(join: JoinOperator, side: Int) {
        self.join = join
        self.side = side
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) { try join.process(rows, kinds: kinds, from: side) }
    override func watermark(_ time: Int64) throws(SQLError) { try join.watermark(time, from: side) }
    override func finish() throws(SQLError) { try join.end(closing: false) }
    override func close() throws(SQLError) { try join.end(closing: true) }
    override func prepareCheckpoint() throws(SQLError) { try join.prepareCheckpoint() }
}
