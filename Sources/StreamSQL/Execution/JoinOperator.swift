import SQLSyntax

/// A regular join of two inputs of insertions. Each side's rows are kept, grouped by the
/// columns the ON condition equates (all in one group without such columns), and a row
/// from one side is joined with the other side's rows kept so far that satisfy the
/// condition — so every pair is emitted once, when its later row arrives. Like Flink's
/// without a state TTL, the state grows with the inputs.
///
/// An outer side's row with no match yet is emitted padded with NULLs; when its first match
/// arrives, that row is taken back (-D) before the pair (+I): the output is then a changelog.
final class JoinOperator: Operator {
    private struct Kept {
        var row: Row
        /// The other side's rows it has been paired with.
        var matches: Int
    }

    private let predicate: CompiledExpression?
    private let keys: [[Int]]
    /// Per side: whether its unmatched rows are emitted (LEFT: the left side, FULL: both).
    private let outer: [Bool]
    private let widths: [Int]
    /// Per side: key → the rows with it.
    private var kept: [[Row: [Kept]]] = [[:], [:]]
    private var ends = InputEnds(inputs: 2)

    init(predicate: CompiledExpression?, leftKeys: [Int], rightKeys: [Int], outer: (left: Bool, right: Bool), widths: (left: Int, right: Int)) {
        self.predicate = predicate
        keys = [leftKeys, rightKeys]
        self.outer = [outer.left, outer.right]
        self.widths = [widths.left, widths.right]
    }

    /// The operator side 0 (left) or 1 (right) feeds.
    func input(_ side: Int) -> Operator { JoinInput(join: self, side: side) }

    override var statistics: [String: Int64] { ["rows kept by joins": Int64(kept.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.count } })] }

    fileprivate func process(_ rows: [Row], kinds: [RowKind]?, from side: Int) throws(SQLError) {
        if let kinds, kinds.contains(where: { $0 != .insert }) {
            throw SQLError(.unsupported, "a join reads insertions only, and one of its inputs updates rows")
        }
        let other = 1 - side
        var result: [Row] = []
        var resultKinds: [RowKind] = []
        for row in rows {
            let key = keys[side].map { row[$0] }
            var matched = 0
            for index in kept[other][key]?.indices ?? 0..<0 {
                let match = kept[other][key]![index]
                let pair = side == 0 ? row + match.row : match.row + row
                if let predicate, try !predicate.evaluate(pair).isTrue { continue }
                matched += 1
                if outer[other], match.matches == 0 {
                    // It was emitted alone, padded with NULLs: no longer.
                    result.append(padded(match.row, side: other))
                    resultKinds.append(.delete)
                }
                kept[other][key]![index].matches += 1
                result.append(pair)
                resultKinds.append(.insert)
            }
            if outer[side], matched == 0 {
                result.append(padded(row, side: side))
                resultKinds.append(.insert)
            }
            kept[side][key, default: []].append(Kept(row: row, matches: matched))
        }
        guard !result.isEmpty else { return }
        try output?.process(result, kinds: resultKinds.contains(.delete) ? resultKinds : nil)
    }

    /// A row of one side with NULLs for the other's columns.
    private func padded(_ row: Row, side: Int) -> Row {
        let nulls = Row(repeating: .null, count: widths[1 - side])
        return side == 0 ? row + nulls : nulls + row
    }

    fileprivate func watermark(_ time: Int64, from side: Int) throws(SQLError) {
        if let combined = ends.watermark(time, from: side) { try output?.watermark(combined) }
    }

    fileprivate func end(closing: Bool) throws(SQLError) {
        guard let close = ends.end(closing: closing) else { return }
        if close { try output?.close() } else { try output?.finish() }
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
