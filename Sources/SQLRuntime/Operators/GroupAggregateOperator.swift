import Foundation
import SQLPlanner
import SQLSyntax
import SQLValues

/// GROUP BY without a window: updates each group's result as rows arrive and emits the
/// change (+I the first time, then -U old and +U new) — or, in batch mode, each group's
/// final result once at the end. Over a changelog (`retracting`), an update's old row and a
/// deleted row are taken back out of their group, and a group left without rows is deleted (-D).
package final class GroupAggregateOperator: Operator, StatefulOperator {
    let keys: [CompiledExpression]
    let aggregates: [AggregateCall]
    let emitAtEnd: Bool
    let retracting: Bool
    private var groups: [Row: Group] = [:]
    /// The groups' aggregates, by each group's number.
    private let columns: AggregateColumns
    private var order: [Row] = []
    /// Groups not written for this long are dropped (nil: kept for ever).
    private var timeToLive: StateTimeToLive?

    /// A group's number in `columns`, its count of rows (added less taken back), the result it
    /// last emitted, and when a row last changed it (processing time, for the state's TTL).
    private struct Group {
        var number: Int
        var rows: Int64 = 0
        var emitted: Row?
        var written: Int64 = 0
    }

    init(
        keys: [CompiledExpression], aggregates: [AggregateCall], emitAtEnd: Bool = false, retracting: Bool = false,
        timeToLive: StateTimeToLive? = nil
    ) {
        self.keys = keys
        self.aggregates = aggregates
        self.emitAtEnd = emitAtEnd
        self.retracting = retracting
        self.timeToLive = emitAtEnd ? nil : timeToLive
        columns = AggregateColumns(aggregates, retracting: retracting)
    }

    private struct SavedGroup: Codable {
        var key: Row
        /// The aggregates' state, as `AggregateColumns.saved` gives it.
        var state: [Value]
        var emitted: Row?
        /// Absent in checkpoints from before aggregates took rows back: a group had rows then.
        var rows: Int64?
    }

    package func saveState(_ encoder: JSONEncoder) throws -> Data {
        let keys = emitAtEnd ? order.filter { groups[$0] != nil } : Array(groups.keys)
        return try encoder.encode(
            keys.map { key in
                let group = groups[key]!
                return SavedGroup(
                    key: key, state: columns.saved(group.number), emitted: group.emitted, rows: group.rows)
            })
    }

    package func restoreState(_ data: Data, _ decoder: JSONDecoder) throws {
        let saved = try decoder.decode([SavedGroup].self, from: data)
        order = emitAtEnd ? saved.map(\.key) : []
        let now = timeToLive?.clock.milliseconds() ?? 0
        for group in groups.values { columns.release(group.number) }
        groups = [:]
        for entry in saved {
            groups[entry.key] = Group(
                number: try columns.restoredGroup(entry.state), rows: entry.rows ?? 1, emitted: entry.emitted,
                written: now)
        }
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        let (now, sweep) = timeToLive?.tick() ?? (0, false)
        if sweep, let timeToLive {
            groups = groups.filter { _, group in
                if !timeToLive.hasExpired(group.written, at: now) { return true }
                columns.release(group.number)
                return false
            }
        }
        var touched: [Row] = []
        var touchedSet: Set<Row> = []
        for (position, row) in rows.enumerated() {
            let takenBack = kinds.map { $0[position] == .updateBefore || $0[position] == .delete } ?? false
            if takenBack, !retracting {
                throw SQLError(
                    .unsupported, "this aggregate was planned for insertions only, and its input updates rows")
            }
            var key: Row = []
            for expression in keys { key.append(try expression.evaluate(row)) }
            let values = try AggregateColumns.arguments(aggregates, of: row)
            if takenBack {
                // A row never added (its group deleted already) changes nothing, as in Flink.
                guard var group = groups[key] else { continue }
                columns.retract(values, from: group.number)
                (group.rows, group.written) = (group.rows - 1, now)
                groups[key] = group
            } else {
                var group: Group
                if let existing = groups[key] {
                    group = existing
                } else {
                    if emitAtEnd { order.append(key) }
                    group = Group(number: columns.newGroup())
                }
                columns.add(values, to: group.number)
                (group.rows, group.written) = (group.rows + 1, now)
                groups[key] = group
            }
            if touchedSet.insert(key).inserted { touched.append(key) }
        }
        if emitAtEnd { return }
        var output: [Row] = []
        var kinds: [RowKind] = []
        for key in touched {
            guard let entry = groups[key] else { continue }
            if entry.rows <= 0 {
                // Every row of the group was taken back: its result goes too.
                if let previous = entry.emitted {
                    output.append(previous)
                    kinds.append(.delete)
                }
                groups[key] = nil
                columns.release(entry.number)
                continue
            }
            var row = key
            columns.appendResults(of: entry.number, to: &row)
            if let previous = entry.emitted {
                guard previous != row else { continue }
                output.append(previous)
                kinds.append(.updateBefore)
                output.append(row)
                kinds.append(.updateAfter)
            } else {
                output.append(row)
                kinds.append(.insert)
            }
            groups[key]!.emitted = row
        }
        if !output.isEmpty { try self.output?.process(output, kinds: kinds) }
    }

    override func finish() throws(SQLError) {
        if emitAtEnd, !order.isEmpty {
            // A group whose rows were all taken back (an outer join's padded rows, retracted when
            // their match came) has no result, as in streaming, where its row is deleted.
            let rows = order.compactMap { key -> Row? in
                guard let group = groups[key], group.rows > 0 else { return nil }
                return key + columns.results(of: group.number)
            }
            if !rows.isEmpty { try output?.process(rows, kinds: nil) }
            if !rows.isEmpty || !keys.isEmpty {
                try output?.finish()
                return
            }
        }
        // A global aggregate over an empty input still has its one row (COUNT(*) = 0) in batch
        // mode; in streaming mode, as in Flink, a result comes with the first row only.
        if emitAtEnd, keys.isEmpty, groups.isEmpty || groups.values.allSatisfy({ $0.rows <= 0 }) {
            let empty = AggregateColumns(aggregates)
            let row = empty.results(of: empty.newGroup())
            try output?.process([row], kinds: [.insert])
        }
        try output?.finish()
    }
}
