import Foundation
import SQLPlanner
import SQLSyntax
import SQLValues

/// ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...): keeps each partition's rows until the
/// partition is complete — its window has closed (the watermark reached window_end - 1 ms)
/// or the input ended — then emits them in order, each with its number appended.
///
/// `updating` (an input that never ends, no window in PARTITION BY): a continuously updated
/// Top-N, as Flink's. Each partition's rows are kept in order; a new row is put in its place
/// and emitted with its number (+I), and each row it moves down is emitted again (-U with
/// the old number, +U with the new). A `WHERE rn <= N` after it keeps the top N: a row
/// pushed out of it leaves with its -U. With that N pushed down (`limit`), a partition keeps
/// its top N rows alone — the input holds insertions only, so a row pushed out never comes
/// back — and rows past N are neither kept nor emitted; without it, every row is kept.
package final class RowNumberOperator: Operator, StatefulOperator {
    let partition: [CompiledExpression]
    let order: [(expression: CompiledExpression, descending: Bool, nullsFirst: Bool)]
    /// Which partition key is the window's end (nil: partitions complete at the end only).
    let windowEnd: Int?
    let updating: Bool
    /// Over a changelog: rows are taken back, so a partition keeps all its rows (one past
    /// the top N may move up into it), not only its top N.
    let retracting: Bool
    /// The numbers wanted: up to this one (nil: all).
    let limit: Int
    /// ROW_NUMBER, or RANK / DENSE_RANK (ties share a number; complete partitions only).
    let numbering: RowNumbering
    /// A row and its ORDER BY values.
    private struct Ranked: Codable {
        var sortKey: [Value]
        var row: Row
    }

    private var partitions: [Row: [Ranked]] = [:]
    /// A continuously updated Top-N's partitions not written for this long are dropped.
    private var timeToLive: StateTimeToLive?
    /// With a TTL: when each partition last took a row.
    private var written: [Row: Int64] = [:]

    init(
        partition: [CompiledExpression], order: [(expression: CompiledExpression, descending: Bool, nullsFirst: Bool)],
        windowEnd: Int?,
        limit: Int? = nil, updating: Bool = false, retracting: Bool = false, timeToLive: StateTimeToLive? = nil,
        numbering: RowNumbering = .rowNumber
    ) {
        self.numbering = numbering
        self.partition = partition
        self.order = order
        self.windowEnd = windowEnd
        self.limit = limit ?? .max
        self.updating = updating
        self.retracting = retracting
        self.timeToLive = updating ? timeToLive : nil
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        var changes: [Row] = []
        var changeKinds: [RowKind] = []
        let (now, sweep) = timeToLive?.tick() ?? (0, false)
        if sweep, let timeToLive {
            for (key, time) in written where timeToLive.hasExpired(time, at: now) {
                written[key] = nil
                partitions[key] = nil
            }
        }
        for (index, row) in rows.enumerated() {
            var key: Row = []
            for expression in partition { key.append(try expression.evaluate(row)) }
            var sortKey: [Value] = []
            for entry in order { sortKey.append(try entry.expression.evaluate(row)) }
            guard updating else {
                partitions[key, default: []].append(Ranked(sortKey: sortKey, row: row))
                continue
            }
            var ranked = partitions.removeValue(forKey: key) ?? []
            defer { if !ranked.isEmpty { partitions[key] = ranked } }
            if timeToLive != nil { written[key] = now }
            let kind = kinds?[index] ?? .insert
            if kind == .updateBefore || kind == .delete {
                takeBack(row, sortKey: sortKey, from: &ranked, into: &changes, &changeKinds)
                continue
            }
            // After the rows it does not precede: ties keep their arrival order.
            var low = 0, high = ranked.count
            while low < high {
                let middle = (low + high) / 2
                if precedes(sortKey, ranked[middle].sortKey) { high = middle } else { low = middle + 1 }
            }
            if low >= limit {
                // Past the top N: not shown. Kept only when a row taken back may let it move up.
                if retracting { ranked.insert(Ranked(sortKey: sortKey, row: row), at: low) }
                continue
            }
            ranked.insert(Ranked(sortKey: sortKey, row: row), at: low)
            changes.append(row + [.integer(Int64(low + 1))])
            changeKinds.append(.insert)
            // The rows it pushes down, up to the one it pushes past N (taken back, not given again).
            for position in (low + 1)..<min(ranked.count, limit == .max ? .max : limit + 1) {
                changes.append(ranked[position].row + [.integer(Int64(position))])
                changeKinds.append(.updateBefore)
                guard position < limit else { continue }
                changes.append(ranked[position].row + [.integer(Int64(position + 1))])
                changeKinds.append(.updateAfter)
            }
            if !retracting, ranked.count > limit { ranked.removeLast(ranked.count - limit) }
        }
        if !changes.isEmpty {
            try output?.process(changes, kinds: changeKinds.allSatisfy { $0 == .insert } ? nil : changeKinds)
        }
    }

    /// A row of the changelog taken back: out of its partition, its number deleted if it had
    /// one shown, and each row after it moved up one (the one moving into the top N inserted).
    private func takeBack(
        _ row: Row, sortKey: [Value], from ranked: inout [Ranked], into changes: inout [Row], _ kinds: inout [RowKind]
    ) {
        // The first row not before it, then along the ties to the row itself.
        var low = 0, high = ranked.count
        while low < high {
            let middle = (low + high) / 2
            if precedes(ranked[middle].sortKey, sortKey) { low = middle + 1 } else { high = middle }
        }
        var position = low
        while position < ranked.count, !precedes(sortKey, ranked[position].sortKey), ranked[position].row != row {
            position += 1
        }
        // A row never kept (it was past the top N of an input of insertions) changes nothing.
        guard position < ranked.count, ranked[position].row == row else { return }
        ranked.remove(at: position)
        guard position < limit else { return }
        changes.append(row + [.integer(Int64(position + 1))])
        kinds.append(.delete)
        for moved in position..<min(ranked.count, limit) {
            if moved + 2 <= limit {
                changes.append(ranked[moved].row + [.integer(Int64(moved + 2))])
                kinds.append(.updateBefore)
                changes.append(ranked[moved].row + [.integer(Int64(moved + 1))])
                kinds.append(.updateAfter)
            } else {
                changes.append(ranked[moved].row + [.integer(Int64(moved + 1))])
                kinds.append(.insert)
            }
        }
    }

    private func precedes(_ a: [Value], _ b: [Value]) -> Bool { SortOrder.precedes(a, b, order) }

    private struct SavedPartition: Codable {
        var key: Row
        var rows: [Ranked]
    }

    package func saveState(_ encoder: JSONEncoder) throws -> Data {
        try encoder.encode(partitions.map { SavedPartition(key: $0.key, rows: $0.value) })
    }

    package func restoreState(_ data: Data, _ decoder: JSONDecoder) throws {
        partitions = [:]
        for partition in try decoder.decode([SavedPartition].self, from: data) {
            partitions[partition.key] = partition.rows
        }
        if let now = timeToLive?.clock.milliseconds() { written = partitions.mapValues { _ in now } }
    }

    override func watermark(_ time: Int64) throws(SQLError) {
        if let windowEnd {
            let complete = partitions.keys.filter { key in
                key[windowEnd].timestampMicros.map { $0 - 1000 <= time } ?? false
            }
            try emit(complete.sorted { ($0[windowEnd].timestampMicros ?? 0) < ($1[windowEnd].timestampMicros ?? 0) })
        }
        try output?.watermark(time)
    }

    override func finish() throws(SQLError) {
        if !updating { try emit(Array(partitions.keys)) }
        try output?.finish()
    }

    private func emit(_ keys: [Row]) throws(SQLError) {
        var result: [Row] = []
        for key in keys {
            guard let rows = partitions.removeValue(forKey: key) else { continue }
            let sorted = rows.enumerated().sorted { a, b in
                if precedes(a.element.sortKey, b.element.sortKey) { return true }
                if precedes(b.element.sortKey, a.element.sortKey) { return false }
                return a.offset < b.offset // ties keep their arrival order
            }
            // Numbers never go down along the sorted rows: the first past the limit ends the partition.
            var number = 0, distinctKeys = 0
            for (position, entry) in sorted.enumerated() {
                let tied = position > 0 && !precedes(sorted[position - 1].element.sortKey, entry.element.sortKey)
                switch numbering {
                case .rowNumber: number = position + 1
                case .rank: if !tied { number = position + 1 }
                case .denseRank:
                    if !tied { distinctKeys += 1 }
                    number = distinctKeys
                }
                guard number <= limit else { break }
                result.append(entry.element.row + [.integer(Int64(number))])
            }
        }
        if !result.isEmpty { try output?.process(result, kinds: nil) }
    }
}
