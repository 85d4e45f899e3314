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
    private var order: [Row] = []
    /// Groups not written for this long are dropped (nil: kept for ever).
    private var timeToLive: StateTimeToLive?

    /// A group's accumulators, its count of rows (added less taken back), the result it last
    /// emitted, and when a row last changed it (processing time, for the state's TTL).
    private struct Group {
        var accumulators: [Accumulator]
        var rows: Int64 = 0
        var emitted: Row?
        var written: Int64 = 0

        mutating func add(_ values: [Value], _ aggregates: [AggregateCall], at now: Int64) {
            rows += 1
            written = now
            Accumulator.add(values, to: &accumulators, aggregates)
        }

        mutating func takeBack(_ values: [Value], _ aggregates: [AggregateCall], at now: Int64) {
            rows -= 1
            written = now
            for index in aggregates.indices { accumulators[index].retract(values[index], aggregates[index]) }
        }
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
    }

    private struct SavedGroup: Codable {
        var key: Row
        var accumulators: [Accumulator]
        var emitted: Row?
        /// Absent in checkpoints from before aggregates took rows back: a group had rows then.
        var rows: Int64?
    }

    package func saveState(_ encoder: JSONEncoder) throws -> Data {
        let keys = emitAtEnd ? order.filter { groups[$0] != nil } : Array(groups.keys)
        return try encoder.encode(
            keys.map { key in
                let group = groups[key]!
                return SavedGroup(key: key, accumulators: group.accumulators, emitted: group.emitted, rows: group.rows)
            })
    }

    package func restoreState(_ data: Data, _ decoder: JSONDecoder) throws {
        let saved = try decoder.decode([SavedGroup].self, from: data)
        groups = [:]
        order = emitAtEnd ? saved.map(\.key) : []
        let now = timeToLive?.clock.milliseconds() ?? 0
        for entry in saved {
            groups[entry.key] = Group(
                accumulators: entry.accumulators, rows: entry.rows ?? 1, emitted: entry.emitted, written: now)
        }
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        let (now, sweep) = timeToLive?.tick() ?? (0, false)
        if sweep, let timeToLive { groups = groups.filter { !timeToLive.hasExpired($0.value.written, at: now) } }
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
            let values = try Accumulator.arguments(aggregates, of: row)
            if takenBack {
                // A row never added (its group deleted already) changes nothing, as in Flink.
                guard groups[key] != nil else { continue }
                groups[key]!.takeBack(values, aggregates, at: now)
            } else {
                if emitAtEnd, groups[key] == nil { order.append(key) }
                groups[key, default: Group(accumulators: aggregates.map { Accumulator($0, retracting: retracting) })]
                    .add(values, aggregates, at: now)
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
                continue
            }
            var row = key
            for (index, aggregate) in aggregates.enumerated() {
                row.append(entry.accumulators[index].result(aggregate))
            }
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
                return key + aggregates.indices.map { group.accumulators[$0].result(aggregates[$0]) }
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
            let row = aggregates.map { Accumulator($0).result($0) }
            try output?.process([row], kinds: [.insert])
        }
        try output?.finish()
    }
}
